from .knowledge_filter import KnowledgeFilter
from .mentor_plan import MentorPlan
from .scores import reduce_to_batch, scores_from_errors, student_mean_scale

__all__ = ['KnowledgeFilter', 'MentorPlan', 'reduce_to_batch',
           'scores_from_errors', 'student_mean_scale']
