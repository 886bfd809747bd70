"""ClassroomKD ablation: gap temperatures without Knowledge Filtering."""
from typing import Optional

from classroomkd_mm.registry import MODELS
from .base_policy import equal_weights, usable_pairs
from ..structures import ClassroomEvidence, MentorPlan
from .knowledge_filter import KnowledgeFilter


@MODELS.register_module()
class MentoringOnly(KnowledgeFilter):
    """Every mentor teaches with equal weight, at ClassroomKD's gap
    temperature:

    - ``a_m(i) = 1``, ``w_m(i) = 1 / M(i)`` (``M(i)`` mentors with a finite
      error on sample ``i``);
    - gap ``d_m(i) = max(0, 1 - p_s(i) / p_m(i))`` with
      ``p_x(i) = exp(-e_x(i) / score_scale)``: a mentor behind the student
      gets gap 0, i.e. the base temperature ``T0``; one ahead gets
      ``T_m(i) = T0 + tau * d_m(i)`` as in :class:`KnowledgeFilter`;
    - the student's task loss is weighted by ``p_s(i)`` unless
      ``confidence_weighting=False``.

    Args:
        granularity (str): ``'sample'`` or ``'batch'`` (errors replaced by
            their batch means first).
        score_scale (float, optional): ``None`` takes the task adapter's.
        confidence_weighting (bool): weight the task loss by ``p_s(i)``.
    """

    def __init__(self,
                 granularity: str = 'sample',
                 score_scale: Optional[float] = None,
                 confidence_weighting: bool = True):
        super().__init__(
            granularity=granularity,
            weight_norm='none',
            score_scale=score_scale,
            confidence_weighting=confidence_weighting)

    def __call__(self, evidence: ClassroomEvidence) -> MentorPlan:
        # KnowledgeFilter's gaps are already max(0, 1 - p_s / p_m): zero
        # wherever the mentor is behind the student (or broken).
        plan = super().__call__(evidence)
        usable = usable_pairs(*self.prepared_errors(evidence))
        return MentorPlan(usable, equal_weights(usable), plan.gaps,
                          plan.student_confidence)
