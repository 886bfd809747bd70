"""EBKD (Kwon et al. 2020): entropy-based mentor weights."""
import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .base_policy import BasePolicy


@MODELS.register_module()
class EntropyWeighted(BasePolicy):
    """Entropy-based KD: a mentor that is more certain on a sample (lower
    prediction entropy ``H_m(i)``) gets a larger weight there,

    ``w_m(i) = 1 - H_m(i) / sum_j H_j(i)``,

    with the sum over the ``M(i)`` mentors that have a finite error and a
    finite entropy on sample ``i``, every such mentor active and a fixed
    ``T`` (the mentoring loss's ``base_temperature``). As in the paper the
    weights sum to ``M(i) - 1`` (1 for two mentors); ``M(i) = 1`` gives
    weight 1, and all-zero entropies count as a tie (``1 - 1/M(i)`` each).

    The entropy comes from the task adapter's ``prediction_entropy`` (the
    softmax entropy of classifier logits); the distiller passes
    ``mentor_outputs`` and ``adapter`` to the policy.

    Args:
        task_weight (float): weight of the student's task loss.
    """

    def select(self, student_errors: Tensor, mentor_errors: Tensor,
               usable: Tensor, default_scale, mentor_outputs=None,
               adapter=None, **context):
        if mentor_outputs is None or adapter is None:
            raise ValueError(
                'EntropyWeighted needs the mentors\' outputs and the task '
                'adapter: call it as policy(..., mentor_outputs=[...], '
                'adapter=adapter), as ClassroomDistiller does.')
        if len(mentor_outputs) != mentor_errors.shape[0]:
            raise ValueError(
                f'EntropyWeighted: {len(mentor_outputs)} mentor outputs for '
                f'{mentor_errors.shape[0]} rows of mentor errors; pass one '
                'output per mentor, in the same order.')
        entropy = torch.stack([
            adapter.prediction_entropy(out).detach().float().to(
                mentor_errors.device) for out in mentor_outputs
        ])
        usable = usable & torch.isfinite(entropy)
        entropy = torch.where(usable, entropy, torch.zeros_like(entropy))
        count = usable.sum(0, keepdim=True).float()
        total = entropy.sum(0, keepdim=True)
        share = torch.where(total > 0, entropy / total.clamp_min(1e-30),
                            1 / count.clamp_min(1))
        weights = torch.where(count == 1, torch.ones_like(share), 1 - share)
        return usable, weights
