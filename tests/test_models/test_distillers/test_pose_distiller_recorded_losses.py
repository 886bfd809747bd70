"""Heatmap and SimCC distillers' losses and diagnostics on a fixed batch,
against the values the distiller gave before its adapter protocol was
rewritten (the pose adapters packed their targets twice a step then): the
rewrite changed no number."""
import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from tests.helpers.pose_models import heatmap_model, simcc_model

pytestmark = pytest.mark.usefixtures('mmpose_scope')

# the mentors as they are (their runtime programs round differently)
EAGER = dict(engine='eager')

RECORDED = [
    ('heatmap.kf', {
        'classroom.narrow.active_rate': 0.75,
        'classroom.narrow.temperature': 2.5231025,
        'classroom.student_confidence': 0.52621931,
        'classroom.wide.active_rate': 0.5,
        'classroom.wide.temperature': 2.194526,
        'distill.loss_mentoring': 0.038987346,
        'student.acc_pose': 0.0,
        'student.loss_kpt': 0.10062006,
    }),
    ('heatmap.ebkd', {
        'classroom.narrow.active_rate': 0.75,
        'classroom.narrow.temperature': 1.0,
        'classroom.student_confidence': 1.0,
        'classroom.wide.active_rate': 0.75,
        'classroom.wide.temperature': 1.0,
        'distill.loss_mentoring': 0.039373476,
        'student.acc_pose': 0.0,
        'student.loss_kpt': 0.27548602,
    }),
    ('simcc.kf', {
        'classroom.big.active_rate': 0.0,
        'classroom.big.temperature': 0.0,
        'classroom.small.active_rate': 0.75,
        'classroom.small.temperature': 2.7780955,
        'classroom.student_confidence': 0.53363168,
        'distill.loss_mentoring': 68.533249,
        'student.acc_pose': 0.0,
        'student.loss_kpt': 0.17824993,
    }),
]


def classroom(case):
    if case.startswith('heatmap'):
        policy = dict(type='EntropyWeighted') if case.endswith('ebkd') else (
            dict(type='KnowledgeFilter'))
        return heatmap_model(), dict(
            wide=heatmap_model(base_channels=32),
            narrow=heatmap_model(base_channels=8)), dict(policy=policy)
    return simcc_model(), dict(
        big=simcc_model(channels=128), small=simcc_model(channels=32)), dict(
            mentoring=dict(type='MentoringLoss', tau=4.0))


def batch(n=4, k=17):
    from mmpose.structures import PoseDataSample
    torch.manual_seed(1)
    visible = torch.ones(n, k)
    visible[2] = 0
    visible[1, :5] = 0
    samples = []
    for i in range(n):
        d = PoseDataSample()
        d.gt_fields = PixelData(heatmaps=torch.rand(k, 32, 24))
        d.gt_instance_labels = InstanceData(
            keypoint_weights=visible[i:i + 1],
            keypoint_x_labels=torch.softmax(torch.randn(1, k, 192), -1),
            keypoint_y_labels=torch.softmax(torch.randn(1, k, 256), -1))
        samples.append(d)
    return torch.randn(n, 3, 128, 96), samples


@pytest.mark.parametrize('case, recorded', RECORDED, ids=lambda v: (
    v if isinstance(v, str) else ''))
def test_losses_equal_recorded_values(case, recorded, tmp_path):
    from mmpose.registry import MODELS

    from classroomkd_mm.models import ClassroomDistiller
    student, mentor_cfgs, kwargs = classroom(case)
    mentors = {}
    for i, (name, cfg) in enumerate(mentor_cfgs.items()):
        path = str(tmp_path / f'{name}.pth')
        torch.manual_seed(10 + i)
        torch.save(dict(state_dict=MODELS.build(cfg).state_dict()), path)
        mentors[name] = dict(model=cfg, checkpoint=path)
    torch.manual_seed(0)
    model = ClassroomDistiller(student=student, mentors=mentors,
                               mentor_runtime=EAGER, **kwargs)
    losses = model.loss(*batch())
    for key, value in recorded.items():
        torch.testing.assert_close(torch.as_tensor(losses[key]).double(),
                                   torch.tensor(value, dtype=torch.float64),
                                   rtol=1e-5, atol=1e-7, msg=key)
