"""Divergences between mentor and student heatmaps (top-down pose)."""
import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .keypoint_weighting import visible_keypoint_mean
from .softened_kl import softened_kl


def heatmap_kl_divergence(student_heatmaps: Tensor,
                          mentor_heatmaps: Tensor,
                          temperature: Tensor,
                          keypoint_weights: Tensor,
                          logit_scale: float = 1.0) -> Tensor:
    """Per-sample spatial-softmax KL between heatmaps::

        q_ik = softmax_hw(s * h_s(i, k) / T_i),  p_ik = softmax_hw(s * h_m(i, k) / T_i)
        D_i  = sum_k w_ik KL(p_ik || q_ik) / |{k: w_ik > 0}|

    (:func:`softened_kl` of ``s * h`` over the ``H * W`` cells) with
    ``s = logit_scale``; ``D_i = 0`` for a sample with no visible
    keypoint. With ``s = 1`` and heatmaps in ``[0, 1]`` (MSRA Gaussians),
    ``T^2 * KL`` is close to half the centred pixel MSE, the same scale as
    mmpose's ``KeypointMSELoss``.

    Args:
        student_heatmaps (Tensor): ``(N, K, H, W)``.
        mentor_heatmaps (Tensor): ``(N, K, H, W)``, detached.
        temperature (Tensor): ``(N,)`` per-sample temperatures.
        keypoint_weights (Tensor): ``(N, K)``.
        logit_scale (float): ``s``, heatmap value to softmax logit.

    Returns:
        Tensor: ``(N,)`` divergences (not multiplied by ``T^2``).
    """
    t = temperature.to(student_heatmaps.dtype).view(-1, 1, 1)
    kl = softened_kl(
        logit_scale * student_heatmaps.flatten(2),
        logit_scale * mentor_heatmaps.to(student_heatmaps.dtype).flatten(2),
        t)
    return visible_keypoint_mean(kl, keypoint_weights)


def heatmap_mse_divergence(student_heatmaps: Tensor, mentor_heatmaps: Tensor,
                           keypoint_weights: Tensor) -> Tensor:
    """Per-sample ``D_i = sum_k w_ik mean_hw (h_s - h_m)^2 / |{k: w_ik > 0}|``
    (0 for a sample with no visible keypoint)."""
    mse = (student_heatmaps - mentor_heatmaps.to(student_heatmaps.dtype)
           ).pow(2).flatten(2).mean(-1)
    return visible_keypoint_mean(mse, keypoint_weights)


def check_same_shape(name: str, student_out: Tensor, mentor_out: Tensor):
    if student_out.shape != mentor_out.shape:
        raise ValueError(
            f'{name}: mentor heatmaps of shape {tuple(mentor_out.shape)} '
            f'(N, K, H, W) do not match the student heatmaps '
            f'{tuple(student_out.shape)}: mentors and student must predict '
            'the same keypoints at the same heatmap resolution.')


@MODELS.register_module()
class HeatmapKLDivergence(nn.Module):
    """Divergence ``D`` for heatmap heads; see
    :func:`heatmap_kl_divergence`. ``targets`` must carry
    ``keypoint_weights`` (the heatmap adapter's targets do)."""

    def __init__(self, logit_scale: float = 1.0):
        super().__init__()
        if not logit_scale > 0:
            raise ValueError('HeatmapKLDivergence: logit_scale must be > 0, '
                             f'got {logit_scale}.')
        self.logit_scale = logit_scale

    def forward(self, student_out: Tensor, mentor_out: Tensor,
                temperature: Tensor, targets) -> Tensor:
        check_same_shape(type(self).__name__, student_out, mentor_out)
        return heatmap_kl_divergence(student_out, mentor_out, temperature,
                                     targets.keypoint_weights,
                                     self.logit_scale)


@MODELS.register_module()
class HeatmapMSEDivergence(nn.Module):
    """Divergence ``D`` for heatmap heads: keypoint-weighted MSE; see
    :func:`heatmap_mse_divergence`. The temperature only enters through the
    ``T^2`` weight of :class:`MentoringLoss`."""

    def forward(self, student_out: Tensor, mentor_out: Tensor,
                temperature: Tensor, targets) -> Tensor:
        check_same_shape(type(self).__name__, student_out, mentor_out)
        return heatmap_mse_divergence(student_out, mentor_out,
                                      targets.keypoint_weights)
