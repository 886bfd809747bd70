"""AVER (You et al. 2017): every mentor with the same weight."""
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .base_policy import BasePolicy, equal_weights
from ..structures import ClassroomEvidence


@MODELS.register_module()
class AverageMentors(BasePolicy):
    """Average the mentors: ``a_m(i) = 1``, ``w_m(i) = 1 / M(i)``, fixed
    ``T`` (the mentoring loss's ``base_temperature``), where ``M(i)`` counts
    the mentors with a finite error on sample ``i`` (``M`` unless a mentor is
    broken there). The distillation term is
    ``lambda * T^2 * mean_i (1/M) sum_m KL(softmax(z_m / T) || softmax(z_s / T))``.

    Args:
        student_confidence (float): weight of the student's task loss.
    """

    def select(self, evidence: ClassroomEvidence, usable: Tensor):
        return usable, equal_weights(usable)
