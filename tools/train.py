"""Train any MMPose / MMPretrain config, ClassroomKD distiller or not.

The arguments are those of mmpose's and mmpretrain's ``tools/train.py``.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.runner import Runner

# The folder above this script (the checkout, or classroomkd_mm/.mim in an
# installed wheel) for `tools.cli_args`; appended, so an installed
# classroomkd_mm is imported before a checkout's copy.
sys.path.append(osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401  (registries, safe checkpoint loading)
from classroomkd_mm.apis import prepare_runner_config  # noqa: E402
from classroomkd_mm.datasets import check_data_or_exit  # noqa: E402
from tools.cli_args import (add_cfg_options_arg, add_shared_args,  # noqa: E402
                            apply_shared_args, check_resume_checkpoint)

DESCRIPTION = """\
Train a model: any MMPose or MMPretrain config, a ClassroomKD distiller or not,
with the arguments of MMPose's and MMPretrain's tools/train.py.

What it adds to the host's training (MMEngine default hooks from
configs/_base_/classroomkd_runtime.py, which the shipped configs inherit, so
MMPose's own tools/train.py adds them too; added here to a config without them,
never twice):
  work-dir lock   one training run per work dir; a second one stops at once
  student files   <checkpoint>_student.pth beside every checkpoint, the
                  student's weights only (ClassroomKD configs), for MMPose's
                  init_model and tools/test.py with the plain student config
  RNG state       the random generators in every checkpoint, so --resume
                  continues exactly as an uninterrupted run
  mentor sha256   each mentor's file hash in every checkpoint: a --resume
                  whose mentors changed stops, naming the mentor and file
On a machine without CUDA, --launcher pytorch (torchrun) trains on gloo.
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not '
        'specify, try to auto resume from the latest checkpoint '
        'in the work directory.')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='whether not to evaluate the checkpoint during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='whether to auto scale the learning rate according to the '
        'actual batch size and the original batch size.')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='whether to disable the pin_memory option in dataloaders.')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='whether to disable the persistent_workers option in '
        'dataloaders.')
    add_cfg_options_arg(parser)
    add_shared_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Merge CLI arguments to config, as mmpose and mmpretrain do."""
    apply_shared_args(cfg, args)
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        assert optim_wrapper in ('OptimWrapper', 'AmpOptimWrapper'), \
            '`--amp` is not supported custom optimizer wrapper type ' \
            f'`{optim_wrapper}.'
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    def set_loader_flag(flag, value):
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(key) is not None:
                cfg[key][flag] = value

    if args.no_pin_memory:
        set_loader_flag('pin_memory', False)
    if args.no_persistent_workers:
        set_loader_flag('persistent_workers', False)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    cfg = prepare_runner_config(cfg, training=True)
    check_data_or_exit(cfg, ('train', 'val'))
    runner = Runner.from_cfg(cfg)
    check_resume_checkpoint(runner, args.config)
    runner.train()


if __name__ == '__main__':
    main()
