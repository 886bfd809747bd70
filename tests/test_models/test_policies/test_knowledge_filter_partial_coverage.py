"""Knowledge Filtering and CA-MKD with mentors that cover different
keypoints: each is compared with the student on its own keypoints
(hand-computed values)."""
import math

import torch

from classroomkd_mm.models.adapters import NetworkEvaluation
from classroomkd_mm.models.policies import KnowledgeFilter
from classroomkd_mm.models.structures import \
    ClassroomEvidence


def evidence(e_s, e_m, e_sm):
    student = NetworkEvaluation(None, (), e_s, torch.isfinite(e_s))
    mentors = tuple(
        NetworkEvaluation(None, (), e, torch.isfinite(e), student_errors=s)
        for e, s in zip(e_m, e_sm))
    return ClassroomEvidence(student, mentors, None, 1.0)


def test_relative_scores_weights_gaps_by_hand():
    # One sample. Mentor 0 covers every keypoint (e_s^0 = e_s = 1.0) with
    # error 0.5; mentor 1 covers a few easy keypoints where the student has
    # 0.2 and the mentor 0.1. r_0 = e^0.5, r_1 = e^0.1.
    e_s = torch.tensor([1.0])
    ev = evidence(e_s, [torch.tensor([0.5]), torch.tensor([0.1])],
                  [None, torch.tensor([0.2])])
    plan = KnowledgeFilter(weight_norm='none')(ev)
    r = torch.tensor([math.exp(0.5), math.exp(0.1)])
    assert torch.allclose(plan.weights[:, 0], 2 * r / (1 + r.sum()))
    assert plan.active[:, 0].tolist() == [True, True]
    assert torch.allclose(plan.gaps[:, 0], 1 - 1 / r)
    assert torch.allclose(plan.student_confidence, torch.exp(-e_s))
    # By raw errors mentor 1 (0.1) would look better than mentor 0 (0.5);
    # compared like with like, mentor 0 is further ahead of the student.
    assert plan.weights[0, 0] > plan.weights[1, 0]


def test_a_mentor_behind_the_student_on_its_keypoints_is_inactive():
    ev = evidence(torch.tensor([1.0]), [torch.tensor([0.3])],
                  [torch.tensor([0.2])])
    plan = KnowledgeFilter()(ev)
    assert not plan.active[0, 0] and plan.weights[0, 0] == 0


def test_full_coverage_is_the_papers_kf_bit_for_bit():
    g = torch.Generator().manual_seed(0)
    e_s = torch.rand(7, generator=g)
    e_m = [torch.rand(7, generator=g) for _ in range(3)]
    ours = KnowledgeFilter()(evidence(e_s, e_m, [None] * 3))
    same = KnowledgeFilter()(evidence(e_s, e_m, [e_s.clone()] * 3))
    paper = KnowledgeFilter()(ClassroomEvidence.from_errors(
        e_s, torch.stack(e_m)))
    for a, b, c in zip(ours, same, paper):
        assert torch.equal(a, b) and torch.equal(a, c)


def test_camkd_ranks_partial_mentors_by_their_advantage():
    """CA-MKD compares mentors that cover different keypoints by their
    errors shifted by the student's: e_m - e_s^m + e_s."""
    from classroomkd_mm.models import CAMKD
    # mentor 0: every keypoint, 0.5 (student 1.0: 0.5 ahead); mentor 1: a
    # few easy keypoints, 0.1 where the student has 0.05 (0.05 behind).
    ev = evidence(torch.tensor([1.0]), [torch.tensor([0.5]),
                                        torch.tensor([0.1])],
                  [None, torch.tensor([0.05])])
    plan = CAMKD(score_scale=1.0)(ev)
    compared = torch.tensor([0.5, 0.1 - 0.05 + 1.0])
    share = torch.softmax(compared, 0)
    assert torch.allclose(plan.weights[:, 0], 1 - share)
    assert plan.weights[0, 0] > plan.weights[1, 0]   # raw errors: reversed


def test_camkd_with_full_coverage_is_unchanged_bit_for_bit():
    from classroomkd_mm.models import CAMKD
    from classroomkd_mm.models.policies.camkd import camkd_weights
    g = torch.Generator().manual_seed(0)
    e_s = torch.rand(7, generator=g)
    e_m = torch.stack([torch.rand(7, generator=g) for _ in range(3)])
    e_m[1, 2] = float('nan')
    plan = CAMKD(score_scale=0.3)(evidence(e_s, e_m, [None] * 3))
    usable = torch.isfinite(e_m)
    expected = torch.where(usable, camkd_weights(e_m, usable, 0.3),
                           torch.zeros_like(e_m))
    assert torch.equal(plan.weights, expected)


def test_baselines_skip_a_sample_without_shared_keypoints():
    """A mentor whose keypoints are all invisible on a sample (the
    student's error there, e_s^m, is NaN) takes no part in it."""
    from classroomkd_mm.models import AverageMentors
    ev = evidence(torch.tensor([1.0, 1.0]),
                  [torch.tensor([0.5, 0.5]), torch.tensor([0.2, 0.2])],
                  [None, torch.tensor([0.3, float('nan')])])
    plan = AverageMentors()(ev)
    assert plan.active.tolist() == [[True, True], [True, False]]
    assert plan.weights[:, 1].tolist() == [1.0, 0.0]
