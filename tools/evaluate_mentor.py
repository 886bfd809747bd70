"""Evaluate one mentor of a ClassroomKD pose config through its bridge, as
the distiller sees it.

    python tools/evaluate_mentor.py CONFIG MENTOR [--work-dir DIR]
        [--cfg-options ...]

Builds the config's student (its head and codec decode the predictions;
its weights are not used) and mentor ``MENTOR`` (``model.mentors``: an
mmpose model and checkpoint, or a model file such as MoveNet), runs the
mentor on the test set's crops through its :class:`MentorBridge` into the
student's output space, decodes the bridged outputs with the student's own
codec (no flip test) and scores them with the config's test evaluator
(CocoMetric, PCKAccuracy) in MMEngine's test loop. So the figure is the one
a perfect student of that mentor would reach: what the bridge hands over,
not the mentor's own decoding (:func:`classroomkd_mm.apis.evaluate_mentor`).
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from classroomkd_mm.apis import evaluate_mentor  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Evaluate a mentor through its bridge')
    parser.add_argument('config', help='a ClassroomKD pose config')
    parser.add_argument('mentor', help='the name of one of its mentors')
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'evaluate_mentor',
        osp.splitext(osp.basename(args.config))[0], args.mentor)
    try:
        metrics = evaluate_mentor(cfg, args.mentor, work_dir)
    except ValueError as error:
        raise SystemExit(f'evaluate_mentor: {error}') from error
    print('evaluate_mentor: ' + ', '.join(f'{k}: {v:.4f}'
                                          for k, v in metrics.items()))
    return metrics


if __name__ == '__main__':
    main()
