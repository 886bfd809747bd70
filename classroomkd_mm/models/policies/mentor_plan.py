"""The output of every mentor-selection policy."""
from typing import NamedTuple, Optional

from torch import Tensor


class MentorPlan(NamedTuple):
    """What a policy decides for each (mentor, sample) pair.

    Attributes:
        active (Tensor): ``(M, N)`` bool, mentor ``m`` teaches sample ``i``.
        weights (Tensor): ``(M, N)`` distillation weight ``w_m(i)``; zero
            where inactive.
        gaps (Tensor, optional): ``(M, N)`` performance gap ``d_m(i)`` in
            ``[0, 1)`` that the mentoring loss turns into a temperature;
            ``None`` for policies with a fixed temperature.
        student_confidence (Tensor): ``(N,)`` detached ``p_s(i)`` that weights
            the student's task loss on sample ``i``: the student's score for
            ClassroomKD, a constant (1 by default) for the baselines.
    """
    active: Tensor
    weights: Tensor
    gaps: Optional[Tensor]
    student_confidence: Tensor
