from ..structures import ClassroomEvidence, MentorPlan
from .knowledge_filter import KnowledgeFilter
from .scores import reduce_to_batch, student_mean_scale

__all__ = ['ClassroomEvidence', 'KnowledgeFilter', 'MentorPlan',
           'reduce_to_batch', 'student_mean_scale']

# Baselines and ClassroomKD ablations, all policies of ClassroomDistiller.
from .average_mentors import AverageMentors  # noqa: E402
from .base_policy import BasePolicy, equal_weights  # noqa: E402
from .camkd import CAMKD  # noqa: E402
from .entropy_weighted import EntropyWeighted  # noqa: E402
from .kf_only import KFOnly  # noqa: E402
from .mentoring_only import MentoringOnly  # noqa: E402
from .random_mentor_drop import RandomMentorDrop  # noqa: E402
from .single_mentor_kd import SingleMentorKD  # noqa: E402

__all__ += ['AverageMentors', 'BasePolicy', 'CAMKD', 'EntropyWeighted',
            'KFOnly', 'MentoringOnly', 'RandomMentorDrop', 'SingleMentorKD',
            'equal_weights']
