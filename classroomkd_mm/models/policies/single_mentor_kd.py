"""KD (Hinton et al. 2015): one mentor, fixed temperature."""
import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..setting_checks import check_number
from .base_policy import BasePolicy, check_count
from ..structures import ClassroomEvidence


@MODELS.register_module()
class SingleMentorKD(BasePolicy):
    """Classic knowledge distillation from one chosen mentor ``k``:

    ``a_m(i) = [m = k]``, ``w_k(i) = alpha``, fixed ``T`` (the mentoring
    loss's ``base_temperature``), so the distillation term is
    ``lambda * alpha * T^2 * mean_i KL(softmax(z_k / T) || softmax(z_s / T))``.

    The mentor is chosen explicitly, by its position in the distiller's
    ``mentors`` dict (``0`` is the first). To distil from the best mentor,
    list only that one (the others would run for nothing). A sample where the
    chosen mentor's error is not finite gets no distillation.

    Args:
        mentor_index (int): position of the mentor in ``mentors``.
        alpha (float): weight of the distillation term.
        student_confidence (float): weight of the student's task loss;
            ``1 - alpha`` gives Hinton's ``(1 - alpha) * CE + alpha * T^2 *
            KL``.
    """

    def __init__(self,
                 mentor_index: int = 0,
                 alpha: float = 1.0,
                 student_confidence: float = 1.0):
        super().__init__(student_confidence)
        alpha = check_number('SingleMentorKD', 'alpha', alpha, minimum=0)
        self.mentor_index = check_count(
            'SingleMentorKD', 'mentor_index', mentor_index,
            'the position of the mentor in the `mentors` dict')
        self.alpha = float(alpha)

    def select(self, evidence: ClassroomEvidence, usable: Tensor):
        num_mentors = usable.shape[0]
        if self.mentor_index >= num_mentors:
            raise ValueError(
                f'SingleMentorKD: mentor_index={self.mentor_index} but the '
                f'distiller has {num_mentors} mentor(s), indices 0..'
                f'{num_mentors - 1} in the order of its `mentors` dict; fix '
                'mentor_index or add the mentor.')
        chosen = torch.zeros_like(usable)
        chosen[self.mentor_index] = True
        return chosen, torch.full(usable.shape, self.alpha,
                                  device=usable.device)
