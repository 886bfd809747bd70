"""Evaluate any MMPose / MMPretrain config and checkpoint.

A ClassroomKD config evaluates its student only (no mentor is built, no
mentor checkpoint is read). Either kind of checkpoint works with either
kind of config: a full ClassroomKD checkpoint holds the student under its
own names (beside the distiller's ``connectors.*`` / ``classroom.*``, left
out), a student-only file (``*_student.pth``, ``tools/export_student.py``)
is the student's, and a checkpoint of the older ``student.*`` layout is
read too (the log says so). A checkpoint
that does not fit the student exactly is an error naming the file, the
config and the fix: random weights are never scored. The arguments are
those of mmpose's ``tools/test.py``.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

# The folder above this script (the checkout, or classroomkd_mm/.mim in an
# installed wheel) for `tools.cli_args`; appended, so an installed
# classroomkd_mm is imported before a checkout's copy.
sys.path.append(osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401  (registries, safe checkpoint loading)
from classroomkd_mm.apis import (is_distiller_config,  # noqa: E402
                                 prepare_runner_config, student_only_config)
from classroomkd_mm.datasets import check_data_or_exit  # noqa: E402
from classroomkd_mm.utils.student_weights import \
    load_student_for_evaluation  # noqa: E402
from tools.cli_args import (add_cfg_options_arg, add_shared_args,  # noqa: E402
                            apply_shared_args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Evaluate a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='the file to save metric results.')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    add_cfg_options_arg(parser, default={})
    add_shared_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    cfg.load_from = None  # the student's weights are loaded by build_runner
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


def build_runner(args):
    """The Runner of the student, its weights loaded from
    ``args.checkpoint``."""
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    distiller = is_distiller_config(cfg)
    cfg = prepare_runner_config(student_only_config(cfg), training=False)
    check_data_or_exit(cfg, ('test', ))
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    load_student_for_evaluation(
        model, args.checkpoint, args.config, distiller,
        after_load=lambda checkpoint: runner.call_hook(
            'after_load_checkpoint', checkpoint=checkpoint))
    return runner


def main(argv=None):
    args = parse_args(argv)
    runner = build_runner(args)
    metrics = runner.test()
    if args.out:
        from mmengine.fileio import dump
        dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
