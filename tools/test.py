"""Evaluate any MMPose / MMPretrain config and checkpoint.

Works for a plain student config with a student-only checkpoint and for a
ClassroomKD distiller config with a full checkpoint (which evaluates the
student). The arguments are those of mmpose's ``tools/test.py``.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

# The repository root, for the project's modules outside the installed
# package (`tools.*`, `benchmarks.*`); Python puts only this script's
# own folder on sys.path.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401  (registries, safe checkpoint loading)
from classroomkd_mm.apis import prepare_runner_config  # noqa: E402
from tools.cli_args import add_shared_args, apply_shared_args  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Evaluate a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='the file to save metric results.')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. For example, '
        "'--cfg-options model.backbone.depth=18 model.backbone.with_cp=True'")
    add_shared_args(parser)
    return parser.parse_args()


def merge_args(cfg, args):
    cfg.load_from = args.checkpoint
    apply_shared_args(cfg, args)
    if args.dump:
        assert args.dump.endswith(('.pkl', '.pickle')), \
            'The dump file must be a pkl file.'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = [*evaluator, dump_metric]
        else:
            cfg.test_evaluator = [evaluator, dump_metric]
    cfg.merge_from_dict(args.cfg_options)
    return cfg


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    cfg = prepare_runner_config(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out:
        from mmengine.fileio import dump
        dump(metrics, args.out)


if __name__ == '__main__':
    main()
