"""What every fixed-temperature baseline policy shares."""
from typing import Tuple

import torch
from torch import Tensor

from ..setting_checks import check_number
from ..structures import ClassroomEvidence, MentorPlan


def check_errors(owner: str, student_errors: Tensor,
                 mentor_errors: Tensor) -> Tuple[Tensor, Tensor]:
    """Detached float copies of ``(N,)`` student and ``(M, N)`` mentor
    errors, or a ValueError that says which shape is wrong."""
    if student_errors.ndim != 1:
        raise ValueError(
            f'{owner}: student_errors must have shape (N,), got '
            f'{tuple(student_errors.shape)}; pass one error per sample.')
    if mentor_errors.ndim != 2 or mentor_errors.shape[1] != \
            student_errors.shape[0] or mentor_errors.shape[0] == 0:
        raise ValueError(
            f'{owner}: mentor_errors must have shape (M, N) = (M, '
            f'{student_errors.shape[0]}) with M >= 1, got '
            f'{tuple(mentor_errors.shape)}; stack one row of per-sample '
            'errors per mentor (with no mentors, configure mentors={} for '
            'NoKD instead of calling a policy).')
    return student_errors.detach().float(), mentor_errors.detach().float()


def check_count(owner: str, name: str, value, meaning: str) -> int:
    """``value`` if it is an int ``>= 0``, else a ValueError that says what
    ``name`` means."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'{owner}: {name} must be an int >= 0 ({meaning}), '
                         f'got {value!r}.')
    return value


def usable_pairs(student_errors: Tensor, mentor_errors: Tensor) -> Tensor:
    """``(M, N)`` bool: mentor ``m`` may teach sample ``i``, i.e. both its
    error and the student's are finite (a NaN marks a broken mentor output,
    a non-finite student error a sample with no signal)."""
    return torch.isfinite(mentor_errors) & torch.isfinite(student_errors)[None]


def equal_weights(active: Tensor) -> Tensor:
    """``w_m(i) = a_m(i) / sum_m' a_m'(i)``: equal weights over the active
    mentors of each sample (``1/M`` when all are), 0 elsewhere."""
    active = active.float()
    return active / active.sum(0, keepdim=True).clamp_min(1.0)


class BasePolicy:
    """A policy with a fixed temperature: the plan's ``gaps`` are None, so
    :class:`MentoringLoss` uses ``T = base_temperature`` for every pair.

    Subclasses implement :meth:`select`; this class checks the errors, marks
    pairs with a non-finite mentor or student error inactive (the student's
    error on the keypoints it shares with that mentor, ``e_s^m``, for a pose
    mentor with a ``keypoint_mapping``), zeroes the weights of inactive
    pairs and sets the plan's student confidence.

    Args:
        student_confidence (float): the plan's ``student_confidence`` on
            every sample, i.e. the weight of every sample's task loss; 1
            keeps the student's own loss, ``1 - alpha`` gives Hinton's convex
            combination.
    """

    def __init__(self, student_confidence: float = 1.0):
        self.student_confidence = check_number(
            type(self).__name__, 'student_confidence', student_confidence,
            minimum=0)

    def select(self, evidence: ClassroomEvidence,
               usable: Tensor) -> Tuple[Tensor, Tensor]:
        """``(active, weights)``, both ``(M, N)``; ``active`` must lie within
        ``usable`` (the pairs whose mentor and student errors are finite)."""
        raise NotImplementedError

    def __call__(self, evidence: ClassroomEvidence) -> MentorPlan:
        e_s, e_m = check_errors(type(self).__name__, evidence.student_errors,
                                evidence.mentor_errors)
        paired = evidence.paired_student_errors.detach().float()
        usable = usable_pairs(e_s, e_m) & torch.isfinite(paired)
        active, weights = self.select(evidence, usable)
        active = active & usable
        weights = torch.where(active, weights.float(),
                              torch.zeros_like(e_m))
        confidence = torch.full_like(e_s, self.student_confidence)
        return MentorPlan(active, weights, None, confidence)
