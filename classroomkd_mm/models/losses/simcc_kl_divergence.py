"""Divergence between mentor and student SimCC (RTMPose-style) outputs."""
from typing import Tuple

import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .keypoint_weighting import visible_keypoint_mean
from .softened_kl import softened_kl


def simcc_kl_divergence(student_simcc: Tuple[Tensor, Tensor],
                        mentor_simcc: Tuple[Tensor, Tensor],
                        temperature: Tensor,
                        keypoint_weights: Tensor,
                        logit_scale: float = 1.0) -> Tensor:
    """Per-sample KL over the x and y bins at temperature ``T_i``::

        D_i = sum_k w_ik [ KL(softmax(s x_m / T_i) || softmax(s x_s / T_i))
                         + KL(softmax(s y_m / T_i) || softmax(s y_s / T_i)) ]
              / |{k: w_ik > 0}|

    (:func:`softened_kl` of ``s * x`` and ``s * y`` over the bins;
    ``s = logit_scale``, the ``beta`` of the head's ``KLDiscretLoss``, so
    that ``T = 1`` compares the distributions the head is trained on);
    ``D_i = 0`` for a sample with no visible keypoint.

    Args:
        student_simcc: ``(x, y)`` of shapes ``(N, K, Wx)`` and ``(N, K, Wy)``.
        mentor_simcc: the mentor's, same shapes, detached.
        temperature (Tensor): ``(N,)``.
        keypoint_weights (Tensor): ``(N, K)``.

    Returns:
        Tensor: ``(N,)`` divergences (not multiplied by ``T^2``).
    """
    t = temperature.to(student_simcc[0].dtype).view(-1, 1, 1)
    kl = sum(
        softened_kl(logit_scale * s, logit_scale * m.to(s.dtype), t)
        for s, m in zip(student_simcc, mentor_simcc))
    return visible_keypoint_mean(kl, keypoint_weights)


@MODELS.register_module()
class SimCCKLDivergence(nn.Module):
    """Divergence ``D`` for SimCC heads; see :func:`simcc_kl_divergence`.
    ``targets`` must carry ``keypoint_weights``."""

    def __init__(self, logit_scale: float = 1.0):
        super().__init__()
        if not logit_scale > 0:
            raise ValueError('SimCCKLDivergence: logit_scale must be > 0, '
                             f'got {logit_scale}.')
        self.logit_scale = logit_scale

    def forward(self, student_out, mentor_out, temperature: Tensor,
                targets) -> Tensor:
        for axis, s, m in zip('xy', student_out, mentor_out):
            if s.shape != m.shape:
                raise ValueError(
                    f'SimCCKLDivergence: mentor {axis} bins of shape '
                    f'{tuple(m.shape)} (N, K, bins) do not match the '
                    f'student\'s {tuple(s.shape)}: mentors and student must '
                    'predict the same keypoints with the same input size '
                    'and simcc_split_ratio.')
        return simcc_kl_divergence(student_out, mentor_out, temperature,
                                   targets.keypoint_weights, self.logit_scale)
