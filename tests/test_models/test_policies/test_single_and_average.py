"""SingleMentorKD (KD) and AverageMentors (AVER): golden weights."""
import pytest
import torch

from classroomkd_mm.models import (AverageMentors, ClassroomEvidence,
                                   SingleMentorKD)

NAN, INF = float('nan'), float('inf')
evidence = ClassroomEvidence.from_errors


def close(actual, expected):
    torch.testing.assert_close(actual, torch.tensor(expected),
                               atol=1e-4, rtol=0)


def test_single_mentor_kd_golden():
    student = torch.tensor([0.5, 0.5, 0.5])
    mentors = torch.tensor([[0.1, 0.1, 0.1],
                            [2.0, NAN, 0.3],   # worse than the student: KD
                            [0.2, 0.2, 0.2]])  # does not care
    plan = SingleMentorKD(mentor_index=1, alpha=0.7, student_confidence=0.3)(
        evidence(student, mentors))
    assert plan.active.tolist() == [[False] * 3, [True, False, True],
                                    [False] * 3]
    close(plan.weights, [[0., 0., 0.], [0.7, 0., 0.7], [0., 0., 0.]])
    assert plan.gaps is None
    close(plan.student_confidence, [0.3, 0.3, 0.3])


def test_single_mentor_kd_one_mentor_and_student_without_signal():
    plan = SingleMentorKD()(evidence(torch.tensor([INF, 1.0]),
                                     torch.tensor([[0.1, 0.1]])))
    assert plan.active.tolist() == [[False, True]]
    close(plan.weights, [[0., 1.]])


def test_single_mentor_kd_index_out_of_range():
    with pytest.raises(ValueError, match=r'mentor_index=2 .* 2 mentor'):
        SingleMentorKD(mentor_index=2)(
            evidence(torch.zeros(1), torch.zeros(2, 1)))


@pytest.mark.parametrize('kwargs', [dict(mentor_index=-1),
                                    dict(mentor_index='best'),
                                    dict(alpha=-0.1),
                                    dict(student_confidence=-1)])
def test_single_mentor_kd_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        SingleMentorKD(**kwargs)


def test_average_mentors_golden():
    student = torch.tensor([0.5, 0.5, 0.5, NAN])
    mentors = torch.tensor([[0.1, NAN, NAN, 0.1],
                            [9.0, 9.0, NAN, 0.1],
                            [0.2, 0.2, NAN, 0.1],
                            [0.3, INF, NAN, 0.1]])
    plan = AverageMentors()(evidence(student, mentors))
    # 1/4 each; sample 1: two broken mentors leave 1/2 each; sample 2: all
    # broken; sample 3: the student has no signal.
    close(plan.weights, [[0.25, 0., 0., 0.],
                         [0.25, 0.5, 0., 0.],
                         [0.25, 0.5, 0., 0.],
                         [0.25, 0., 0., 0.]])
    assert plan.active.tolist() == [[True, False, False, False],
                                    [True, True, False, False],
                                    [True, True, False, False],
                                    [True, False, False, False]]
    assert plan.gaps is None
    close(plan.student_confidence, [1., 1., 1., 1.])


def test_average_single_mentor_weight_one():
    plan = AverageMentors()(evidence(torch.tensor([0.5, 0.1]),
                                     torch.tensor([[3.0, 0.0]])))
    close(plan.weights, [[1., 1.]])
