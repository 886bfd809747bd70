"""One mentor of a ClassroomKD pose config, scored through its bridge as the
distiller sees it: the student's preprocessing and codec around the bridged
mentor, in MMEngine's test loop with the config's own evaluator."""
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner

from ..models.bridges.mentor_bridge import MentorBridge
from ..models.bridges.output_space import describe_pose_output
from ..models.classroom.mentor_builder import build_mentor, mentor_model_config
from ..models.file_mentors import is_file_mentor
from ..registry import MODELS


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


def bridged_mentor(cfg: Config, name: str) -> BridgedMentor:
    """Mentor ``name`` of the distiller config ``cfg.model`` with its
    bridge into the student's output space; the student (built, not
    loaded: only its head's codec and preprocessing are used) decodes."""
    distiller = cfg.model
    mentors = distiller.get('mentors') or {}
    if name not in mentors:
        raise ValueError(f'{cfg.filename}: no mentor {name!r} in '
                         f'model.mentors (it has {sorted(mentors)}).')
    student = MODELS.build(distiller.student).eval()
    mentor_cfg = dict(mentors[name])
    preprocessor = distiller.student.get('data_preprocessor')
    model_cfg = mentor_model_config(name, mentor_cfg, preprocessor)
    if 'checkpoint' not in mentor_cfg:
        mentor = MODELS.build(model_cfg)
        if not is_file_mentor(mentor):
            raise ValueError(
                f'Mentor {name!r} has no checkpoint and is no mentor file '
                '(classroomkd_mm.FileMentor): give it a checkpoint.')
    else:
        mentor = build_mentor(name, mentor_cfg, preprocessor)
    bridge = MentorBridge(name, describe_pose_output(f'Mentor {name!r}',
                                                     mentor),
                          describe_pose_output('The student', student),
                          mentor_cfg.get('keypoint_mapping'))
    print(f'evaluate_mentor: {bridge.describe()}')
    return BridgedMentor(student, mentor, bridge)


def evaluate_mentor(cfg: Config, name: str, work_dir: str) -> dict:
    """The metrics of mentor ``name`` of the ClassroomKD pose config
    ``cfg`` through its bridge: the figure a perfect student of that mentor
    would reach (what the bridge hands over, decoded by the student's own
    codec, no flip test), from ``cfg.test_dataloader`` and
    ``cfg.test_evaluator``."""
    from mmengine.registry import DefaultScope
    scope = cfg.get('default_scope', 'mmpose')
    if not DefaultScope.check_instance_created('evaluate_mentor'):
        DefaultScope.get_instance('evaluate_mentor', scope_name=scope)
    model = bridged_mentor(cfg, name)
    runner = Runner(model=model, work_dir=work_dir,
                    test_dataloader=cfg.test_dataloader,
                    test_evaluator=cfg.test_evaluator, test_cfg=dict(),
                    default_scope=scope, env_cfg=cfg.get(
                        'env_cfg', dict(dist_cfg=dict(backend='gloo'))),
                    log_level='WARNING')
    return runner.test()
