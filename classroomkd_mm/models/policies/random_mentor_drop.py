"""DGKD (Son et al. 2021): drop random mentors every iteration."""
import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .base_policy import BasePolicy, check_count, equal_weights
from ..structures import ClassroomEvidence


@MODELS.register_module()
class RandomMentorDrop(BasePolicy):
    """Densely guided KD's stochastic teacher dropping: every call (one
    training iteration) ``drop_num`` of the ``M`` mentors, drawn uniformly
    without replacement, sit out the whole batch; the others share equal
    weights,

    ``a_m(i) = [m kept]``, ``w_m(i) = a_m(i) / sum_m' a_m'(i)``
    (``1 / (M - drop_num)``), fixed ``T`` (the mentoring loss's
    ``base_temperature``).

    The draw uses torch's global RNG (``torch.randperm``), so a seeded run
    (``randomness=dict(seed=...)``) reproduces it. A kept mentor whose error
    is not finite on a sample sits out that sample and the kept others share
    its weight.

    Args:
        drop_num (int): mentors dropped per iteration, ``0 <= drop_num < M``.
        student_confidence (float): weight of the student's task loss.
    """

    def __init__(self, drop_num: int = 1, student_confidence: float = 1.0):
        super().__init__(student_confidence)
        self.drop_num = check_count('RandomMentorDrop', 'drop_num', drop_num,
                                    'mentors dropped per iteration')

    def select(self, evidence: ClassroomEvidence, usable: Tensor):
        num_mentors = usable.shape[0]
        if self.drop_num >= num_mentors:
            raise ValueError(
                f'RandomMentorDrop: drop_num={self.drop_num} would drop all '
                f'{num_mentors} mentor(s); use drop_num <= {num_mentors - 1} '
                'or add mentors.')
        dropped = torch.randperm(num_mentors)[:self.drop_num]
        kept = torch.ones(num_mentors, dtype=torch.bool)
        kept[dropped] = False
        active = usable & kept.to(usable.device)[:, None]
        return active, equal_weights(active)
