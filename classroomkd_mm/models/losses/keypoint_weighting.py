"""Average a per-keypoint quantity over the visible keypoints of a sample;
the keypoints the mentors teach."""
import torch
from torch import Tensor


def visible_keypoint_mean(values: Tensor, keypoint_weights: Tensor,
                          empty_value: float = 0.0) -> Tensor:
    """``v(i) = sum_k w_ik * values_ik / |{k: w_ik > 0}|``.

    Args:
        values (Tensor): ``(N, K)`` per-keypoint values.
        keypoint_weights (Tensor): ``(N, K)`` keypoint weights (0 for an
            invisible keypoint).
        empty_value (float): what a sample with no visible keypoint gets. The
            divergences use 0 (finite, so no NaN reaches a gradient); the
            errors use NaN (the sample carries no signal).

    Returns:
        Tensor: ``(N,)``.
    """
    weights = keypoint_weights.to(values.dtype)
    visible = (weights > 0).sum(-1)
    total = (weights * values).sum(-1)
    mean = total / visible.clamp_min(1).to(values.dtype)
    if empty_value == 0.0:
        return mean * (visible > 0).to(values.dtype)
    return mean.masked_fill(visible == 0, empty_value)


def teaching_keypoint_weights(keypoint_weights: Tensor) -> Tensor:
    """The keypoint weights the mentors teach with::

        t_ik = 1       on a sample without ground truth (no w_ik > 0: an
                       unlabelled person, taught on every keypoint)
        t_ik = w_ik    elsewhere (the student's own keypoint weights)

    A policy decides whether the unlabelled sample is taught at all
    (:attr:`ClassroomEvidence.unlabelled`)."""
    unlabelled = (keypoint_weights > 0).sum(-1, keepdim=True) == 0
    return torch.where(unlabelled, torch.ones_like(keypoint_weights),
                       keypoint_weights)
