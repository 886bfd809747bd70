"""Per-sample SimCC error from the decoded keypoints, an alternative ranking
error for SimCC heads (the counterpart of :func:`heatmap_peak_error`)."""
from typing import Sequence

from torch import Tensor

from ..losses.keypoint_weighting import visible_keypoint_mean


def simcc_peak_error(pred_simcc: Sequence[Tensor],
                     gt_simcc: Sequence[Tensor],
                     keypoint_weights: Tensor) -> Tensor:
    """Per-sample keypoint-weighted squared distance between the decoded
    keypoint of each predicted pair of SimCC vectors and that of its target,
    in SimCC bins::

        x_ik = argmax_b px_ik,   y_ik = argmax_b py_ik   (x*_ik, y*_ik: gt)
        d_ik = (x_ik - x*_ik)^2 + (y_ik - y*_ik)^2
        e(i) = sum_k w_ik d_ik / |{k: w_ik > 0}|

    It judges where a network puts each keypoint (what PCK scores), not how
    its distribution is shaped: a mentor rendered into the student's bins
    that puts a keypoint in the right bin has no error, whatever the
    student's loss of its rendering. A sample with no visible keypoint gets
    NaN. Not differentiable (it only ranks).

    Args:
        pred_simcc, gt_simcc: ``(x, y)`` pairs of ``(N, K, Wx)`` and
            ``(N, K, Wy)`` tensors (logits or labels: only their argmax
            counts).
        keypoint_weights (Tensor): ``(N, K)``.
    """
    distance = sum(
        (p.detach().float().argmax(-1) - g.detach().float().argmax(-1))
        .float().pow(2)
        for p, g in zip(pred_simcc, gt_simcc))
    return visible_keypoint_mean(distance,
                                 keypoint_weights.to(distance.dtype),
                                 float('nan'))
