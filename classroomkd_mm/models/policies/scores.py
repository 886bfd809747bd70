"""Errors to scores: the shared first step of the ranking policies."""
import torch
from torch import Tensor


def reduce_to_batch(errors: Tensor) -> Tensor:
    """Batch granularity: ``e_x <- mean_i e_x(i)`` over the samples with a
    finite error, broadcast back to every sample.

    Args:
        errors (Tensor): ``(..., N)`` per-sample errors; non-finite entries
            (no signal or a broken network) are left out of the mean and stay
            non-finite.

    Returns:
        Tensor: same shape, each row filled with its mean.
    """
    finite = torch.isfinite(errors)
    count = finite.sum(-1, keepdim=True)
    total = torch.where(finite, errors, torch.zeros_like(errors)).sum(
        -1, keepdim=True)
    mean = total / count.clamp_min(1)
    mean = torch.where(count > 0, mean, torch.full_like(mean, float('nan')))
    return torch.where(finite, mean.expand_as(errors), errors)


def student_mean_scale(student_errors: Tensor) -> Tensor:
    """The pose adapters' ``score_scale``: the detached batch mean of the
    student's finite per-sample errors (1 when there is none, or it is 0).
    Computed without a host-device sync."""
    errors = student_errors.detach()
    finite = torch.isfinite(errors)
    total = torch.where(finite, errors, torch.zeros_like(errors)).sum()
    score_scale = total / finite.sum().clamp_min(1)
    return torch.where(score_scale > 0, score_scale,
                       torch.ones_like(score_scale))

