"""One network's evaluation on a batch: what the distiller and the policies
read about it."""
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from torch import Tensor


@dataclass(frozen=True)
class NetworkEvaluation:
    """A network (the student or a mentor) evaluated on one batch by a task
    adapter (:meth:`BaseTaskAdapter.evaluate`).

    Attributes:
        outputs: the head's outputs in the student's output space (a tensor,
            or a tuple of tensors for SimCC heads); the student's keep their
            autograd graph, the mentors' are computed without one.
        features (tuple[Tensor]): what the head consumed (the backbone's, or
            the neck's, outputs), for feature-level losses.
        errors (Tensor): ``(N,)`` detached per-sample errors ``e(i) >= 0``
            against the ground truth; NaN where the outputs of sample ``i``
            are not finite, non-finite where the sample carries no signal
            (e.g. no visible keypoint).
        finite (Tensor): ``(N,)`` bool, every output value of sample ``i`` is
            finite.
        targets: a mentor that covers only some of the student's keypoints
            (``keypoint_mapping``): the batch's targets restricted to them
            (keypoint weights ``v_mik = w_ik c_mk``), against which its
            ``errors`` are taken and its divergence is averaged; None: the
            batch's own.
        student_errors (Tensor, optional): ``(N,)`` the student's errors on
            the same restricted targets, ``e_s^m(i)``, what Knowledge
            Filtering compares ``errors`` with; None: the student's own.
        coverage (Tensor, optional): ``(N,)`` ``rho_m(i)``, the share of
            sample ``i``'s visible keypoints the mentor covers; None: 1.
    """
    outputs: Any
    features: Tuple[Tensor, ...]
    errors: Tensor
    finite: Tensor
    targets: Any = None
    student_errors: Optional[Tensor] = None
    coverage: Optional[Tensor] = None
