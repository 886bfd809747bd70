"""MentoringLoss golden values.

Student logits ``(0, 0)`` (``q = (0.5, 0.5)`` at any ``T``), mentor logits
``(ln 3, 0)``:

- ``T = 1``: ``p = (0.75, 0.25)``, ``KL(p || q) = 0.75 ln 1.5 + 0.25 ln 0.5
  = 0.130812``;
- ``T = 2``: ``p = (sqrt 3, 1) / (sqrt 3 + 1) = (0.633975, 0.366025)``,
  ``KL = 0.036341``, ``T^2 KL = 0.145363``;
- the gradient of ``T^2 KL`` w.r.t. the student logits is ``T (q - p)``.
"""
import math

import pytest
import torch

from classroomkd_mm.models import (ClassroomEvidence, MentoringLoss,
                                   MentorPlan, NetworkEvaluation)

KL_T1, KL_T2 = 0.130812, 0.036341
INF, NAN = float('inf'), float('nan')


def logits(n):
    student = torch.zeros(n, 2, requires_grad=True)
    mentor = torch.tensor([[math.log(3), 0.]]).repeat(n, 1)
    return student, mentor


def outputs(student, mentors):
    """Evidence holding only the networks' outputs (all the loss reads)."""
    def evaluation(out):
        return NetworkEvaluation(out, (), None, None)

    return ClassroomEvidence(evaluation(student),
                             tuple(evaluation(m) for m in mentors))


def plan(active, weights, gaps=None):
    active = torch.tensor(active)
    return MentorPlan(active, torch.tensor(weights),
                      None if gaps is None else torch.tensor(gaps),
                      torch.ones(active.shape[1]))


def kl_loss(**kwargs):
    return MentoringLoss(divergence=dict(type='LogitKLDivergence'), **kwargs)


def test_fixed_temperature_one():
    student, mentor = logits(2)
    out = kl_loss(tau=12)(outputs(student, [mentor]),
                          plan([[True, True]], [[1., 1.]]))
    # gaps None -> T = base_temperature = 1 whatever tau
    torch.testing.assert_close(out['temperatures'], torch.ones(1, 2))
    assert out['loss_mentoring'].item() == pytest.approx(KL_T1, abs=1e-5)


def test_temperature_squared_scaling():
    student, mentor = logits(2)
    out = kl_loss(base_temperature=2.0, loss_weight=3.0)(
        outputs(student, [mentor]), plan([[True, True]], [[1., 1.]]))
    # 3 * T^2 KL_T2 = 3 * 4 * 0.036341
    assert out['loss_mentoring'].item() == pytest.approx(0.436089, abs=1e-5)


def test_gap_temperature_weights_and_inactive_inf_logits():
    student, mentor = logits(2)
    mentor[1] = torch.tensor([INF, NAN])  # a broken, inactive sample
    # sample 0: gap 0.25, tau 4 -> T = 2; weight 0.5; sample 1 inactive.
    p = plan([[True, False]], [[0.5, 0.]], gaps=[[0.25, 0.]])
    out = kl_loss(tau=4.0, loss_weight=2.0)(outputs(student, [mentor]), p)
    torch.testing.assert_close(out['temperatures'],
                               torch.tensor([[2.0, 1.0]]))
    # 2 * mean(0.5 * 4 * KL_T2, 0) = 2 * 0.5 * 0.5 * 4 * 0.036341
    loss = out['loss_mentoring']
    assert loss.item() == pytest.approx(0.072682, abs=1e-5)
    loss.backward()
    # d/dz_s = lambda / N * w * T (q - p) = 2/2 * 0.5 * 2 * (q - p)
    torch.testing.assert_close(
        student.grad,
        torch.tensor([[-0.133975, 0.133975], [0., 0.]]),
        atol=1e-5, rtol=0)


def test_two_mentors_sum_and_all_inactive():
    student, mentor = logits(1)
    uniform = torch.zeros(1, 2)  # KL to the student is 0
    out = kl_loss()(outputs(student, [mentor, uniform]),
                    plan([[True], [True]], [[0.25], [0.75]]))
    assert out['loss_mentoring'].item() == pytest.approx(
        0.25 * KL_T1, abs=1e-5)
    none = kl_loss()(outputs(student, [mentor, uniform]),
                     plan([[False], [False]], [[0.], [0.]]))
    assert none['loss_mentoring'].item() == 0.0
    none['loss_mentoring'].backward()
    assert torch.equal(student.grad, torch.zeros(1, 2))


def test_tuple_outputs_are_cleaned_per_element():
    """SimCC-style outputs (a tuple of tensors) on an inactive NaN sample."""

    class PairKL:
        def __call__(self, s, m, t, targets=None):
            from classroomkd_mm.models.losses import logit_kl_divergence
            return (logit_kl_divergence(s[0], m[0], t) +
                    logit_kl_divergence(s[1], m[1], t))

    student, mentor = logits(2)
    mentor[1] = NAN
    loss = MentoringLoss()
    loss.divergence = PairKL()
    # one mentor whose output is a pair: 2 * KL_T1 on sample 0, mean over 2
    out = loss(outputs((student, student), [(mentor, mentor)]),
               plan([[True, False]], [[1., 0.]]))
    assert out['loss_mentoring'].item() == pytest.approx(KL_T1, abs=1e-5)
    out['loss_mentoring'].backward()
    assert torch.isfinite(student.grad).all()


@pytest.mark.parametrize('kwargs', [dict(base_temperature=0),
                                    dict(tau=-1)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        MentoringLoss(**kwargs)
