"""One network's evaluation on a batch: what the distiller and the policies
read about it."""
from dataclasses import dataclass
from typing import Any, Tuple

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
    """
    outputs: Any
    features: Tuple[Tensor, ...]
    errors: Tensor
    finite: Tensor
