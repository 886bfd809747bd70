"""CAMKD: w_m(i) = (1 - softmax_m(e_m(i))) / (M(i) - 1), golden values."""
import math

import pytest
import torch

from classroomkd_mm.models import CAMKD, ClassroomEvidence

NAN, INF = float('nan'), float('inf')
evidence = ClassroomEvidence.from_errors


def close(actual, expected):
    torch.testing.assert_close(actual, torch.tensor(expected),
                               atol=1e-4, rtol=0)


def test_camkd_golden():
    ln2, ln3, ln4 = math.log(2), math.log(3), math.log(4)
    student = torch.full((5, ), 0.5)
    mentors = torch.tensor([
        # exp(e) = 1, 2, 4 -> softmax 1/7, 2/7, 4/7 -> (1 - s) / 2
        #   = 3/7, 5/14, 3/14 = 0.4286, 0.3571, 0.2143
        # tie -> 1/3 each
        # one NaN mentor: exp(e) = 3, 1 -> softmax 0.75, 0.25 -> / 1
        # a single usable mentor -> 1
        # no usable mentor -> nothing
        [0.0, 1.0, ln3, NAN, NAN],
        [ln2, 1.0, NAN, 0.7, NAN],
        [ln4, 1.0, 0.0, INF, NAN],
    ])
    plan = CAMKD()(evidence(student, mentors))
    close(plan.weights, [[0.4286, 0.3333, 0.25, 0., 0.],
                         [0.3571, 0.3333, 0., 1., 0.],
                         [0.2143, 0.3333, 0.75, 0., 0.]])
    assert plan.active.tolist() == [[True, True, True, False, False],
                                    [True, True, False, True, False],
                                    [True, True, True, False, False]]
    assert plan.gaps is None
    close(plan.student_confidence, [1.] * 5)


def test_camkd_scale():
    # e / score_scale with score_scale = 2: errors 0, 2 ln 2 behave as 0, ln 2:
    # softmax 1/3, 2/3 -> weights 2/3, 1/3.
    mentors = torch.tensor([[0.0], [2 * math.log(2)]])
    for plan in (CAMKD()(evidence(torch.zeros(1), mentors, score_scale=2.0)),
                 CAMKD(score_scale=2.0)(
                     evidence(torch.zeros(1), mentors, score_scale=5.0))):
        close(plan.weights, [[0.6667], [0.3333]])


def test_camkd_one_mentor_and_no_signal():
    plan = CAMKD()(evidence(torch.tensor([0.1, INF]),
                            torch.tensor([[5.0, 0.1]])))
    close(plan.weights, [[1.0, 0.0]])
    assert plan.active.tolist() == [[True, False]]


def test_camkd_bad_scale():
    with pytest.raises(ValueError, match='score_scale'):
        CAMKD(score_scale=-1.0)
