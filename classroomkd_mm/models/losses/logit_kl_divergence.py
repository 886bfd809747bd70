"""Temperature-scaled KL divergence between mentor and student logits."""
import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .softened_kl import softened_kl


def logit_kl_divergence(student_logits: Tensor, mentor_logits: Tensor,
                        temperature: Tensor) -> Tensor:
    """Per-sample ``D_i = KL(softmax(z_m(i) / T_i) || softmax(z_s(i) / T_i))``
    (:func:`softened_kl`).

    Args:
        student_logits (Tensor): ``(N, C)``.
        mentor_logits (Tensor): ``(N, C)``, detached.
        temperature (Tensor): ``(N,)`` per-sample temperatures, ``>= 1``.

    Returns:
        Tensor: ``(N,)`` divergences (not multiplied by ``T^2``).
    """
    t = temperature.to(student_logits.dtype)[:, None]
    return softened_kl(student_logits, mentor_logits, t)


@MODELS.register_module()
class LogitKLDivergence(nn.Module):
    """Divergence ``D`` for classifier logits; see
    :func:`logit_kl_divergence`."""

    def forward(self, student_out: Tensor, mentor_out: Tensor,
                 temperature: Tensor, targets=None) -> Tensor:
        if student_out.shape != mentor_out.shape:
            raise ValueError(
                'LogitKLDivergence: mentor logits of shape '
                f'{tuple(mentor_out.shape)} do not match the student logits '
                f'{tuple(student_out.shape)}; all networks must predict the '
                'same classes.')
        return logit_kl_divergence(student_out, mentor_out, temperature)
