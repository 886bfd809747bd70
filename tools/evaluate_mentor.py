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
not the mentor's own decoding.
"""
import argparse
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.model import BaseModel
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401
from classroomkd_mm.models.bridges.mentor_bridge import \
    MentorBridge  # noqa: E402
from classroomkd_mm.models.bridges.output_space import \
    describe_pose_output  # noqa: E402
from classroomkd_mm.models.classroom.mentor_builder import (  # noqa: E402
    build_mentor, mentor_model_config)
from classroomkd_mm.models.file_mentors import is_file_mentor  # noqa: E402
from classroomkd_mm.registry import MODELS  # noqa: E402


class BridgedMentor(BaseModel):
    """The student's preprocessing and decoding around a bridged mentor."""

    def __init__(self, student, mentor, bridge):
        super().__init__(data_preprocessor=student.data_preprocessor)
        self.student, self.mentor, self.bridge = student, mentor, bridge

    def forward(self, inputs, data_samples=None, mode='predict'):
        if mode != 'predict':
            raise ValueError('BridgedMentor only predicts.')
        with torch.no_grad():
            outputs = self.bridge(self.mentor, inputs)
        preds = self.student.head.decode(outputs)
        return self.student.add_pred_to_datasample(preds, None,
                                                   data_samples)


def build(cfg: Config, name: str) -> BridgedMentor:
    distiller = cfg.model
    mentors = distiller.get('mentors') or {}
    if name not in mentors:
        raise SystemExit(f'{cfg.filename}: no mentor {name!r} in '
                         f'model.mentors (it has {sorted(mentors)}).')
    student = MODELS.build(distiller.student).eval()
    mentor_cfg = dict(mentors[name])
    preprocessor = distiller.student.get('data_preprocessor')
    model_cfg = mentor_model_config(name, mentor_cfg, preprocessor)
    if 'checkpoint' not in mentor_cfg:
        # a mentor file (no checkpoint): built as it is
        mentor = MODELS.build(model_cfg)
        if not is_file_mentor(mentor):
            raise SystemExit(f'Mentor {name!r} has no checkpoint and is no '
                             'mentor file (classroomkd_mm.FileMentor).')
    else:
        mentor = build_mentor(name, mentor_cfg, preprocessor)
    bridge = MentorBridge(name, describe_pose_output(f'Mentor {name!r}',
                                                     mentor),
                          describe_pose_output('The student', student),
                          mentor_cfg.get('keypoint_mapping'))
    print(f'evaluate_mentor: {bridge.describe()}')
    return BridgedMentor(student, mentor, bridge)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Evaluate a mentor through its bridge')
    parser.add_argument('config', help='a ClassroomKD pose config')
    parser.add_argument('mentor', help='the name of one of its mentors')
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def evaluate(cfg: Config, name: str, work_dir: str) -> dict:
    """The metrics of mentor ``name`` of the ClassroomKD pose config
    ``cfg`` through its bridge (module docstring)."""
    from mmengine.registry import DefaultScope
    scope = cfg.get('default_scope', 'mmpose')
    if not DefaultScope.check_instance_created('evaluate_mentor'):
        DefaultScope.get_instance('evaluate_mentor', scope_name=scope)
    model = build(cfg, name)
    runner = Runner(model=model, work_dir=work_dir,
                    test_dataloader=cfg.test_dataloader,
                    test_evaluator=cfg.test_evaluator, test_cfg=dict(),
                    default_scope=scope, env_cfg=cfg.get(
                        'env_cfg', dict(dist_cfg=dict(backend='gloo'))),
                    log_level='WARNING')
    return runner.test()


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'evaluate_mentor',
        osp.splitext(osp.basename(args.config))[0], args.mentor)
    metrics = evaluate(cfg, args.mentor, work_dir)
    print('evaluate_mentor: ' + ', '.join(f'{k}: {v:.4f}'
                                          for k, v in metrics.items()))
    return metrics


if __name__ == '__main__':
    main()
