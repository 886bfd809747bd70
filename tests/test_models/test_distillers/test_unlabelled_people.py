"""A distiller step with an unlabelled person in the batch: KD teaches it,
the student's task loss and KnowledgeFilter (by default) do not."""
import pytest
import torch

from tests.helpers.pose_models import batch, distiller, simcc_model

pytestmark = pytest.mark.usefixtures('mmpose_scope')


def mentoring(tmp_path, policy, visible):
    model = distiller(simcc_model(), dict(big=simcc_model(channels=128)),
                      tmp_path, policy=policy)
    inputs, samples = batch(visible=visible)
    return model.loss(inputs, samples)


def test_kd_teaches_the_unlabelled_person(tmp_path):
    visible = torch.ones(4, 17)
    visible[2] = 0  # an unlabelled person
    kd = mentoring(tmp_path, dict(type='SingleMentorKD'), visible)
    skip = mentoring(tmp_path, dict(type='SingleMentorKD',
                                    unlabelled='skip'), visible)
    assert kd['distill.loss_mentoring'] > skip['distill.loss_mentoring']
    assert torch.equal(kd['student.loss_kpt'], skip['student.loss_kpt'])
    assert float(kd['classroom.big.active_rate']) == 1.0
    assert float(skip['classroom.big.active_rate']) == 0.75
    kf = mentoring(tmp_path, dict(type='KnowledgeFilter'), visible)
    reliable = mentoring(tmp_path, dict(type='KnowledgeFilter',
                                        unlabelled='reliability'), visible)
    assert float(reliable['classroom.big.active_rate']) >= float(
        kf['classroom.big.active_rate'])
