"""The distiller's losses and diagnostics on a fixed batch, against the
values the distiller gave before its adapter protocol was rewritten (one
evaluation per network, targets packed once, a typed evidence record for the
policies): the rewrite changed no number."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import NUM_CLASSES, distiller_cfg

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

# the mentors as they are (their runtime programs round differently)
EAGER = dict(engine='eager')

RECORDED = [
    (dict(type='KnowledgeFilter'),
     {
         'classroom.m0.active_rate': 0.5,
         'classroom.m0.temperature': 2.2064645,
         'classroom.m1.active_rate': 0.5,
         'classroom.m1.temperature': 2.7410743,
         'classroom.m2.active_rate': 0.5,
         'classroom.m2.temperature': 2.2797663,
         'classroom.student_confidence': 0.22892408,
         'distill.loss_mentoring': 0.045646161,
         'student.loss': 0.32027885,
     }),
    (dict(type='KnowledgeFilter', granularity='batch', weight_norm='none'),
     {
         'classroom.m0.active_rate': 1.0,
         'classroom.m0.temperature': 1.018732,
         'classroom.m1.active_rate': 1.0,
         'classroom.m1.temperature': 1.4414748,
         'classroom.m2.active_rate': 1.0,
         'classroom.m2.temperature': 1.3868198,
         'classroom.student_confidence': 0.21230029,
         'distill.loss_mentoring': 0.19727951,
         'student.loss': 0.32901311,
     }),
    (dict(type='CAMKD'),
     {
         'classroom.m0.active_rate': 1.0,
         'classroom.m0.temperature': 1.0,
         'classroom.m1.active_rate': 1.0,
         'classroom.m1.temperature': 1.0,
         'classroom.m2.active_rate': 1.0,
         'classroom.m2.temperature': 1.0,
         'classroom.student_confidence': 1.0,
         'distill.loss_mentoring': 0.084280305,
         'student.loss': 1.5497535,
     }),
    (dict(type='EntropyWeighted'),
     {
         'classroom.m0.active_rate': 1.0,
         'classroom.m0.temperature': 1.0,
         'classroom.m1.active_rate': 1.0,
         'classroom.m1.temperature': 1.0,
         'classroom.m2.active_rate': 1.0,
         'classroom.m2.temperature': 1.0,
         'classroom.student_confidence': 1.0,
         'distill.loss_mentoring': 0.16732417,
         'student.loss': 1.5497535,
     }),
    (dict(type='SingleMentorKD', mentor_index=1, alpha=0.9,
          student_confidence=0.1),
     {
         'classroom.m0.active_rate': 0.0,
         'classroom.m0.temperature': 0.0,
         'classroom.m1.active_rate': 1.0,
         'classroom.m1.temperature': 1.0,
         'classroom.m2.active_rate': 0.0,
         'classroom.m2.temperature': 0.0,
         'classroom.student_confidence': 0.1,
         'distill.loss_mentoring': 0.12847924,
         'student.loss': 0.15497534,
     }),
    (dict(type='MentoringOnly'),
     {
         'classroom.m0.active_rate': 1.0,
         'classroom.m0.temperature': 1.6032323,
         'classroom.m1.active_rate': 1.0,
         'classroom.m1.temperature': 1.8705372,
         'classroom.m2.active_rate': 1.0,
         'classroom.m2.temperature': 1.6398832,
         'classroom.student_confidence': 0.22892408,
         'distill.loss_mentoring': 0.08504796,
         'student.loss': 0.32027885,
     }),
]


def batch(n=6):
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g).float()
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(n)]
    return dict(inputs=list(images), data_samples=samples)


@pytest.mark.parametrize('policy, recorded', RECORDED,
                         ids=lambda v: v.get('type') if 'type' in v else '')
def test_losses_equal_recorded_values(policy, recorded, tmp_path):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(distiller_cfg(
        tmp_path, widths=(8, 6, 4), policy=policy,
        mentoring=dict(type='MentoringLoss', tau=4.0),
        mentor_runtime=EAGER))
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    for key, value in recorded.items():
        torch.testing.assert_close(losses[key].double(),
                                   torch.tensor(value, dtype=torch.float64),
                                   rtol=1e-5, atol=1e-7, msg=key)
