"""ClassroomDistiller around tiny mmpose estimators: heatmap and SimCC
students, mentors of other backbones, and the build-time mismatch errors."""
import pytest
import torch

from tests.helpers.pose_models import (CODEC_128x96, batch, distiller,
                                       heatmap_model, simcc_model)
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpose_scope')


@pytest.mark.parametrize('kind', ['heatmap', 'simcc'])
def test_loss_is_finite_and_trains_the_student_only(kind, tmp_path):
    if kind == 'heatmap':
        student = heatmap_model()
        mentors = dict(wide=heatmap_model(base_channels=32),
                       mbv2=heatmap_model(width=0.5))
        mentors['mbv2']['backbone']['out_indices'] = (7, )
    else:
        student = simcc_model()
        mentors = dict(big=simcc_model(channels=128))
    visible = torch.ones(4, 17)
    visible[2] = 0  # a crop with no visible keypoint
    model = distiller(student, mentors, tmp_path)
    assert type(model.adapter).__name__ == (
        'HeatmapAdapter' if kind == 'heatmap' else 'SimCCAdapter')
    inputs, samples = batch(visible=visible)
    losses = model.loss(inputs, samples)
    for key in ('student.loss_kpt', 'student.acc_pose',
                'distill.loss_mentoring'):
        assert key in losses
    assert all(torch.isfinite(torch.as_tensor(v)).all()
               for v in losses.values())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in mentors_of(model).parameters())
    grads = [p.grad for p in model.student.parameters()
             if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    for name in mentors:
        assert f'classroom.{name}.active_rate' in losses


def test_mentor_with_other_keypoints_or_aspect_ratio_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"Mentor 'mpii' predicts 16 "
                       r'keypoints but the student 17.*keypoint_mapping'):
        distiller(heatmap_model(), dict(mpii=heatmap_model(16)), tmp_path)
    with pytest.raises(ValueError, match=r"Mentor 'square' takes 64x64 .*"
                       r'student takes 96x128: the aspect ratios differ'):
        distiller(simcc_model(),
                  dict(square=simcc_model(input_size=(64, 64))), tmp_path)


def test_mentors_of_other_heatmap_size_and_family_are_bridged(tmp_path):
    codec = dict(CODEC_128x96, heatmap_size=(48, 64))
    model = distiller(heatmap_model(), dict(hires=heatmap_model(codec=codec),
                                            simcc=simcc_model()), tmp_path)
    assert not model.classroom.bridge('hires').is_identity
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert torch.isfinite(losses['distill.loss_mentoring'])


def test_nokd_equals_head_loss(tmp_path):
    from classroomkd_mm.models import ClassroomDistiller
    model = ClassroomDistiller(student=heatmap_model())
    inputs, samples = batch()
    ours = model.loss(inputs, samples)
    ref = model.student.loss(inputs, samples)
    assert ours['student.loss_kpt'].item() == pytest.approx(
        ref['loss_kpt'].item(), rel=1e-6)


def test_camkd_feature_term_on_heatmap_heads(tmp_path):
    """CA-MKD's feature term: the mentor's HeatmapHead judges the connected
    student backbone feature; the connector and the student get gradients,
    the mentor none."""
    model = distiller(
        heatmap_model(), dict(wide=heatmap_model(base_channels=32)),
        tmp_path, policy=dict(type='CAMKD'),
        connectors=dict(wide=dict(type='ConvConnector', in_channels=128,
                                  out_channels=256)),
        feature_loss=dict(type='FeatureMSELoss', weighting='camkd'))
    losses = model.loss(*batch())
    feature = losses['distill.loss_feature']
    assert torch.isfinite(feature) and feature > 0
    feature.backward()
    assert model.connectors['wide'].conv.conv.weight.grad.abs().sum() > 0
    assert any(p.grad is not None for p in model.student.parameters())
    assert all(p.grad is None for p in mentors_of(model).parameters())
