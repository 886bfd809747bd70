"""CA-MKD (Zhang et al. 2022): confidence-aware mentor weights."""
from typing import Optional

import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..setting_checks import check_number
from .base_policy import BasePolicy


@MODELS.register_module()
class CAMKD(BasePolicy):
    """Confidence-aware multi-teacher KD: per sample, a mentor with a lower
    error against the ground truth gets a larger weight,

    ``w_m(i) = (1 - softmax_m(e_m(i) / beta)) / (M(i) - 1)``,

    with the softmax over the ``M(i)`` mentors that have a finite error on
    sample ``i`` (the weights sum to 1; ``M(i) = 1`` gives weight 1), every
    such mentor active, and a fixed ``T`` (the mentoring loss's
    ``base_temperature``). For cross-entropy errors ``beta = 1`` and this is
    the paper's ``(1 - softmax(CE_m)) / (M - 1)``; for heatmap errors the
    adapter's default ``beta`` (the student's mean error) makes the softmax
    independent of the heatmap magnitude.

    (The paper's intermediate-feature term is not part of this policy.)

    Args:
        score_scale (float, optional): ``beta``; ``None`` takes the task
            adapter's default.
        task_weight (float): weight of the student's task loss.
    """

    def __init__(self, score_scale: Optional[float] = None,
                 task_weight: float = 1.0):
        super().__init__(task_weight)
        self.score_scale = check_number('CAMKD', 'score_scale', score_scale,
                                        above=0, optional=True)

    def select(self, student_errors: Tensor, mentor_errors: Tensor,
               usable: Tensor, default_scale, **context):
        beta = default_scale if self.score_scale is None else self.score_scale
        logits = torch.where(usable, mentor_errors / beta,
                             torch.full_like(mentor_errors, float('-inf')))
        count = usable.sum(0, keepdim=True)
        # A sample with no usable mentor would be an all -inf softmax.
        logits = torch.where(count > 0, logits, torch.zeros_like(logits))
        share = torch.softmax(logits, dim=0)
        weights = (1 - share) / (count - 1).clamp_min(1)
        weights = torch.where(count == 1, torch.ones_like(weights), weights)
        return usable, weights
