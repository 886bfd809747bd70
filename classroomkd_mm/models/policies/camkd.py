"""CA-MKD (Zhang et al. 2022): confidence-aware mentor weights."""
from typing import Optional

import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..setting_checks import check_number
from .base_policy import BasePolicy
from ..structures import ClassroomEvidence


def camkd_weights(errors: Tensor, usable: Tensor, score_scale) -> Tensor:
    """``w_m(i) = (1 - softmax_m(e_m(i) / score_scale)) / (M(i) - 1)`` over
    the ``M(i)`` usable mentors of sample ``i`` (1 when ``M(i) = 1``; the
    weights of a sample sum to 1).

    Args:
        errors (Tensor): ``(M, N)`` errors.
        usable (Tensor): ``(M, N)`` bool, the pairs that take part.
        score_scale (float or Tensor): divides the errors.

    Returns:
        Tensor: ``(M, N)`` weights (meaningless where not usable).
    """
    logits = torch.where(usable, errors / score_scale,
                         torch.full_like(errors, float('-inf')))
    count = usable.sum(0, keepdim=True)
    # A sample with no usable mentor would be an all -inf softmax.
    logits = torch.where(count > 0, logits, torch.zeros_like(logits))
    share = torch.softmax(logits, dim=0)
    weights = (1 - share) / (count - 1).clamp_min(1)
    return torch.where(count == 1, torch.ones_like(weights), weights)


@MODELS.register_module()
class CAMKD(BasePolicy):
    """Confidence-aware multi-teacher KD: per sample, a mentor with a lower
    error against the ground truth gets a larger weight,

    ``w_m(i) = (1 - softmax_m(e_m(i) / score_scale)) / (M(i) - 1)``,

    with the softmax over the ``M(i)`` mentors that have a finite error on
    sample ``i`` (the weights sum to 1; ``M(i) = 1`` gives weight 1), every
    such mentor active, and a fixed ``T`` (the mentoring loss's
    ``base_temperature``). For cross-entropy errors ``score_scale = 1`` and
    this is the paper's ``(1 - softmax(CE_m)) / (M - 1)``; for heatmap errors
    the adapter's score scale (the student's mean error) makes the softmax
    independent of the heatmap magnitude.

    The paper's intermediate-feature term is a feature loss of the
    distiller: ``feature_loss=dict(type='FeatureMSELoss', weighting='camkd')``
    with a connector per mentor (see :class:`FeatureMSELoss`).

    Args:
        score_scale (float, optional): ``None`` takes the task adapter's.
        student_confidence (float): weight of the student's task loss.
    """

    def __init__(self, score_scale: Optional[float] = None,
                 student_confidence: float = 1.0):
        super().__init__(student_confidence)
        self.score_scale = check_number('CAMKD', 'score_scale', score_scale,
                                        above=0, optional=True)

    def select(self, evidence: ClassroomEvidence, usable: Tensor):
        score_scale = (evidence.score_scale if self.score_scale is None else
                       self.score_scale)
        return usable, camkd_weights(compared_errors(evidence), usable,
                                     score_scale)


def compared_errors(evidence: ClassroomEvidence) -> Tensor:
    """``(M, N)`` ``e_m(i) - (e_s^m(i) - e_s(i))``: each mentor's error
    shifted by how much harder its own keypoints are for the student than
    all of them (0, and the errors unchanged, for a mentor that covers every
    keypoint: ``e_s^m`` is then ``e_s`` and the shift exactly 0, so the
    errors are bit for bit the same)."""
    shift = (evidence.paired_student_errors.detach().float() -
             evidence.student_errors.detach().float()[None])
    return evidence.mentor_errors.detach().float() - shift
