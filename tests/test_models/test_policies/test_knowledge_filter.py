"""KnowledgeFilter on a worked example (p_s = 0.5, mentors 0.8, 0.3, 0.6)
and hand-made cases, against values computed by hand.

Errors are written as ``-log(p)`` (cross-entropy, ``beta = 1``) so that the
scores of the examples are the round numbers of the comments."""
import math

import pytest
import torch

from classroomkd_mm.models import (ClassroomEvidence, KnowledgeFilter,
                                   MentoringLoss)

INF, NAN = float('inf'), float('nan')
evidence = ClassroomEvidence.from_errors


def err(*scores):
    return torch.tensor([-math.log(p) if p > 0 else INF for p in scores])


def close(actual, expected):
    torch.testing.assert_close(actual, torch.tensor(expected),
                               atol=1e-4, rtol=0)


def worked_example_batch():
    """Two samples whose batch means are the worked example's errors
    (p_s = 0.5, mentors 0.8, 0.3, 0.6), spread +-0.1 around them."""
    spread = torch.tensor([-0.1, 0.1])
    student = err(0.5).expand(2) + spread
    mentors = err(0.8, 0.3, 0.6)[:, None] + spread[None]
    return student, mentors


def test_worked_example_batch_granularity_unnormalised():
    student, mentors = worked_example_batch()
    plan = KnowledgeFilter(granularity='batch', weight_norm='none')(
        evidence(student, mentors))
    # w = M p / sum p = 3 * (0.8, 0.3, 0.6) / 2.2 = 1.0909, 0.4091, 0.8182;
    # mentor 2 (0.3 < 0.5) is inactive, so its 0.4091 is masked to 0.
    assert plan.active.tolist() == [[True, True], [False, False],
                                    [True, True]]
    close(plan.weights, [[1.0909, 1.0909], [0., 0.], [0.8182, 0.8182]])
    # d = 1 - 0.5 / 0.8 = 0.375 and 1 - 0.5 / 0.6 = 0.1667
    close(plan.gaps, [[0.375, 0.375], [0., 0.], [0.1667, 0.1667]])
    close(plan.student_confidence, [0.5, 0.5])
    temps = MentoringLoss(tau=12).temperatures(plan)
    # T = 1 + 12 d: 5.5 and 3.0 (mentor 2 inactive)
    close(temps[0], [5.5, 5.5])
    close(temps[2], [3.0, 3.0])


def test_worked_example_active_normalisation():
    student, mentors = worked_example_batch()
    plan = KnowledgeFilter(granularity='batch', weight_norm='active')(
        evidence(student, mentors))
    # 0.8 / 1.4 and 0.6 / 1.4
    close(plan.weights, [[0.5714, 0.5714], [0., 0.], [0.4286, 0.4286]])


def test_sample_granularity_keeps_samples_apart():
    student, mentors = worked_example_batch()
    plan = KnowledgeFilter(granularity='sample')(evidence(student, mentors))
    # sample 0: p_s = 0.5 e^0.1, p_m = (0.8, 0.3, 0.6) e^0.1: the ratios,
    # hence gaps and weights, are those of the worked example; same for
    # sample 1. Only the confidence differs: 0.5 e^0.1 and 0.5 e^-0.1.
    close(plan.gaps, [[0.375, 0.375], [0., 0.], [0.1667, 0.1667]])
    close(plan.student_confidence, [0.5526, 0.4524])


def test_per_sample_cases():
    # columns: worked example | student beats all | tie and NaN mentor |
    #          no signal (student error inf) | mentor error inf
    student = torch.cat([err(0.5, 0.9, 0.4), torch.tensor([INF]),
                         err(0.5)])
    mentors = torch.stack([
        torch.cat([err(0.8, 0.8, 0.4), torch.tensor([0.1]), err(0.9)]),
        torch.cat([err(0.3, 0.3, 0.8), torch.tensor([0.1]),
                   torch.tensor([INF])]),
        torch.cat([err(0.6, 0.6), torch.tensor([NAN, 0.1]), err(0.1)]),
    ])
    plan = KnowledgeFilter(weight_norm='none')(evidence(student, mentors))
    assert plan.active.tolist() == [
        [True, False, True, False, True],
        [False, False, True, False, False],
        [True, False, False, False, False],
    ]
    # sample 2: sum p = 0.4 + 0.4 + 0.8 (+0 for NaN) = 1.6, w = 3 p / 1.6;
    # sample 4: sum p = 0.5 + 0.9 + 0 + 0.1 = 1.5, w_1 = 3 * 0.9 / 1.5 = 1.8.
    close(plan.weights, [[1.0909, 0., 0.75, 0., 1.8],
                         [0., 0., 1.5, 0., 0.],
                         [0.8182, 0., 0., 0., 0.]])
    # tie (p_m = p_s): active with gap 0; sample 4: 1 - 0.5 / 0.9 = 0.4444
    close(plan.gaps, [[0.375, 0., 0., 0., 0.4444],
                      [0., 0., 0.5, 0., 0.],
                      [0.1667, 0., 0., 0., 0.]])
    # no-signal sample: confidence 1
    close(plan.student_confidence, [0.5, 0.9, 0.4, 1.0, 0.5])
    for tensor in plan[:3]:
        assert torch.isfinite(tensor.float()).all()

    normalised = KnowledgeFilter(weight_norm='active')(
        evidence(student, mentors))
    # sample 2: 0.4 / 1.2 and 0.8 / 1.2; sample 4: the only active mentor
    close(normalised.weights[:, 2], [0.3333, 0.6667, 0.])
    close(normalised.weights[:, 4], [1., 0., 0.])
    close(normalised.weights[:, [1, 3]], [[0., 0.]] * 3)


def test_no_active_mentor_gives_zero_weights():
    plan = KnowledgeFilter()(
        evidence(err(0.9, 0.9), err(0.5, 0.1)[None].repeat(2, 1)))
    assert not plan.active.any()
    assert (plan.weights == 0).all() and (plan.gaps == 0).all()


def test_batch_granularity_leaves_nan_mentor_samples_out():
    # mentor 1 is NaN on sample 1; its batch mean is its error on sample 0.
    student = err(0.5, 0.5)
    mentors = torch.stack([torch.tensor([-math.log(0.8), NAN]),
                           err(0.6, 0.6)])
    plan = KnowledgeFilter(granularity='batch', weight_norm='none')(
        evidence(student, mentors))
    assert plan.active.tolist() == [[True, False], [True, True]]
    close(plan.gaps, [[0.375, 0.], [0.1667, 0.1667]])
    # sample 0: sum p = 0.5 + 0.8 + 0.6 = 1.9, w_2 = 2 * 0.6 / 1.9 = 0.6316;
    # sample 1: sum p = 0.5 + 0.6 = 1.1, w_2 = 2 * 0.6 / 1.1 = 1.0909
    close(plan.weights[1], [0.6316, 1.0909])


def test_score_scale_of_policy_and_of_evidence():
    # e = 2 ln 2 with score_scale = 2 is p = 0.5
    student = torch.tensor([2 * math.log(2)])
    mentors = torch.tensor([[-2 * math.log(0.8)]])
    for plan in (KnowledgeFilter()(evidence(student, mentors,
                                            score_scale=2.0)),
                 KnowledgeFilter(score_scale=2.0)(
                     evidence(student, mentors, score_scale=7.0))):
        close(plan.gaps, [[0.375]])
        close(plan.student_confidence, [0.5])


def test_huge_errors_do_not_underflow_to_nan():
    # p = exp(-1000) underflows, but p_s / p_m = exp(-1) does not.
    plan = KnowledgeFilter()(
        evidence(torch.tensor([1000.]), torch.tensor([[999.]])))
    close(plan.gaps, [[0.6321]])
    close(plan.weights, [[1.0]])
    assert plan.active.all()


def test_confidence_weighting_off():
    plan = KnowledgeFilter(confidence_weighting=False)(
        evidence(err(0.5), err(0.8)[None]))
    close(plan.student_confidence, [1.0])


@pytest.mark.parametrize('kwargs, message', [
    (dict(granularity='pixel'), 'granularity'),
    (dict(weight_norm='sum'), 'weight_norm'),
    (dict(score_scale=0), 'score_scale'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        KnowledgeFilter(**kwargs)


def test_bad_shapes_name_the_fix():
    with pytest.raises(ValueError, match=r'mentor_errors must have shape'):
        KnowledgeFilter()(evidence(err(0.5, 0.5), err(0.5, 0.5, 0.5)[None]))
    with pytest.raises(ValueError, match=r'student_errors must have shape'):
        KnowledgeFilter()(evidence(err(0.5)[None], err(0.5)[None]))


def test_authors_rounding_on_the_worked_example():
    # shares p / sum p = 0.5, 0.8, 0.3, 0.6 over 2.2 = 0.2273, 0.3636, 0.1364,
    # 0.2727, rounded: 0.23, 0.36, 0.14, 0.27; weights 3 r_m = 1.08, (0.42),
    # 0.81; gaps 1 - 0.23 / 0.36 = 0.3611 and 1 - 0.23 / 0.27 = 0.1481;
    # temperatures 1 + 12 d = 5.3333 and 2.7778; the confidence unrounded.
    student, mentors = worked_example_batch()
    plan = KnowledgeFilter(granularity='batch', weight_norm='none',
                           round_decimals=2)(evidence(student, mentors))
    assert plan.active.tolist() == [[True, True], [False, False],
                                    [True, True]]
    close(plan.weights, [[1.08, 1.08], [0., 0.], [0.81, 0.81]])
    close(plan.gaps, [[0.3611, 0.3611], [0., 0.], [0.1481, 0.1481]])
    close(MentoringLoss(tau=12).temperatures(plan)[[0, 2]],
          [[5.3333, 5.3333], [2.7778, 2.7778]])
    close(plan.student_confidence, [0.5, 0.5])


def test_authors_rounding_makes_a_near_tie_active():
    # p_s = 0.5, mentors 0.499 and 0.2: shares 0.41701, 0.41618, 0.16681
    # round to 0.42, 0.42, 0.17: the first mentor ties the student, so it
    # is active (gap 0, weight 2 * 0.42); without rounding it is behind.
    student, mentors = err(0.5), err(0.499, 0.2)[:, None]
    rounded = KnowledgeFilter(weight_norm='none', round_decimals=2)(
        evidence(student, mentors))
    assert rounded.active[:, 0].tolist() == [True, False]
    close(rounded.weights, [[0.84], [0.]])
    close(rounded.gaps, [[0.], [0.]])
    plain = KnowledgeFilter(weight_norm='none')(evidence(student, mentors))
    assert not plain.active.any()


@pytest.mark.parametrize('decimals', [-1, 1.5, True])
def test_bad_round_decimals(decimals):
    with pytest.raises(ValueError, match='round_decimals'):
        KnowledgeFilter(round_decimals=decimals)
