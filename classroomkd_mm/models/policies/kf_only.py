"""ClassroomKD ablation: Knowledge Filtering without gap temperatures."""
from classroomkd_mm.registry import MODELS
from ..structures import ClassroomEvidence, MentorPlan
from .knowledge_filter import KnowledgeFilter


@MODELS.register_module()
class KFOnly(KnowledgeFilter):
    """:class:`KnowledgeFilter`'s active mask, weights and student confidence
    (``a_m(i) = [p_m(i) >= p_s(i)]``, ``w_m(i) = M p_m(i) / sum_x p_x(i)``,
    normalised per ``weight_norm``), but no gaps: every active pair uses the
    fixed ``T`` of the mentoring loss's ``base_temperature`` (set it, e.g. to
    4, in ``mentoring``; ``tau`` is then unused).

    Takes :class:`KnowledgeFilter`'s arguments.
    """

    def __call__(self, evidence: ClassroomEvidence) -> MentorPlan:
        return super().__call__(evidence)._replace(gaps=None)
