"""ClassroomKD ablations on one worked example (p_s = 0.5, mentors 0.8, 0.3,
0.6, errors -ln p), computed by hand in the comments."""
import math

import torch

from classroomkd_mm.models import (ClassroomEvidence, KFOnly, MentoringLoss,
                                   MentoringOnly)

NAN = float('nan')


def close(actual, expected):
    torch.testing.assert_close(actual, torch.tensor(expected),
                               atol=1e-4, rtol=0)


def example():
    return ClassroomEvidence.from_errors(
        torch.tensor([-math.log(0.5)]),
        torch.tensor([[-math.log(0.8)], [-math.log(0.3)],
                      [-math.log(0.6)]]))


def test_kf_only_keeps_mask_and_weights_drops_gaps():
    plan = KFOnly(weight_norm='active')(example())
    assert plan.active[:, 0].tolist() == [True, False, True]
    close(plan.weights, [[0.5714], [0.], [0.4286]])
    assert plan.gaps is None
    close(plan.student_confidence, [0.5])
    temps = MentoringLoss(tau=12, base_temperature=4).temperatures(plan)
    close(temps, [[4.], [4.], [4.]])


def test_mentoring_only_all_mentors_gap_temperatures():
    plan = MentoringOnly()(example())
    assert plan.active.all()
    close(plan.weights, [[0.3333], [0.3333], [0.3333]])
    # max(0, 1 - 0.5 / p_m): 0.375, 0 (behind the student), 0.1667
    close(plan.gaps, [[0.375], [0.], [0.1667]])
    close(MentoringLoss(tau=12).temperatures(plan), [[5.5], [1.], [3.0]])
    close(plan.student_confidence, [0.5])


def test_mentoring_only_nan_mentor_and_batch_granularity():
    student = torch.tensor([-math.log(0.5), -math.log(0.5)])
    mentors = torch.tensor([[-math.log(0.8), NAN],
                            [-math.log(0.3), -math.log(0.3)]])
    plan = MentoringOnly(granularity='batch',
                         confidence_weighting=False)(
        ClassroomEvidence.from_errors(student, mentors))
    assert plan.active.tolist() == [[True, False], [True, True]]
    close(plan.weights, [[0.5, 0.], [0.5, 1.]])
    close(plan.gaps, [[0.375, 0.], [0., 0.]])
    close(plan.student_confidence, [1., 1.])
