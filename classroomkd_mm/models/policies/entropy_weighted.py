"""EBKD (Kwon et al. 2020): entropy-based mentor weights."""
import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .base_policy import BasePolicy
from ..structures import ClassroomEvidence


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
    softmax entropy of classifier logits) on the mentors' outputs, through
    :meth:`ClassroomEvidence.mentor_entropies`.

    Args:
        student_confidence (float): weight of the student's task loss.
    """

    def select(self, evidence: ClassroomEvidence, usable: Tensor):
        entropy = evidence.mentor_entropies()
        usable = usable & torch.isfinite(entropy)
        entropy = torch.where(usable, entropy, torch.zeros_like(entropy))
        count = usable.sum(0, keepdim=True).float()
        total = entropy.sum(0, keepdim=True)
        share = torch.where(total > 0, entropy / total.clamp_min(1e-30),
                            1 / count.clamp_min(1))
        weights = torch.where(count == 1, torch.ones_like(share), 1 - share)
        return usable, weights
