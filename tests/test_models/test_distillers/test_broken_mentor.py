"""A mentor whose output turns NaN or inf on some samples is inactive on
exactly those samples; training goes on and ``broken_rate`` counts them."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_runs import batch
from tests.helpers.tiny_classifiers import distiller_cfg

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

BROKEN = [0, 1, 2, 4]  # NaN on 0, 2, 4; a single inf logit on 1


def break_mentor(mentor):
    def forward(feats, _orig=mentor.head.forward):
        out = _orig(feats).clone()
        out[[0, 2, 4]] = float('nan')
        out[1, 0] = float('inf')
        return out

    mentor.head.forward = forward


def record_plans(model):
    plans, policy = [], model.policy

    class Recorder:

        def __getattr__(self, name):
            return getattr(policy, name)

        def __call__(self, *args, **kwargs):
            plans.append(policy(*args, **kwargs))
            return plans[-1]

    model.policy = Recorder()
    return plans


def build(tmp_path, broken):
    torch.manual_seed(0)
    model = MODELS.build(distiller_cfg(tmp_path))
    if broken:
        break_mentor(model.classroom.mentor('m0'))
    return model


def test_broken_mentor_is_inactive_on_exactly_its_broken_samples(tmp_path):
    plans = {}
    for broken in (False, True):
        model = build(tmp_path, broken)
        recorded = record_plans(model)
        model(**model.data_preprocessor(batch(), training=True), mode='loss')
        plans[broken] = recorded[0]
    clean, hurt = plans[False].active, plans[True].active
    healthy = [i for i in range(6) if i not in BROKEN]
    assert not hurt[0, BROKEN].any()
    assert torch.equal(hurt[0, healthy], clean[0, healthy])
    assert torch.equal(hurt[1], clean[1])  # the healthy mentor is untouched
    assert torch.isfinite(plans[True].weights).all()


def test_training_goes_on_and_broken_rate_counts_it(tmp_path):
    model = build(tmp_path, broken=True)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train()
    before = {k: v.clone() for k, v in model.student.state_dict().items()}
    for step in range(3):
        log_vars = model.train_step(batch(seed=step), optim)
        assert torch.isfinite(log_vars['loss'])
        assert float(log_vars['classroom.m0.broken_rate']) == \
            pytest.approx(4 / 6)
        assert log_vars['classroom.m1.broken_rate'] == 0
        assert log_vars['classroom.m0.active_rate'] <= 2 / 6
    for key, value in model.student.state_dict().items():
        assert torch.isfinite(value.float()).all(), key
    assert any(not torch.equal(before[k], v)
               for k, v in model.student.state_dict().items())
