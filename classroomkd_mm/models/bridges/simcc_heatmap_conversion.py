"""SimCC (x and y bin) outputs to heatmaps and back, and SimCC to another
bin count."""
from typing import Tuple

import torch
from torch import Tensor

from .crop_position import gaussian_rendering_matrix, linear_resampling_matrix


def simcc_to_heatmaps(simcc_x: Tensor, simcc_y: Tensor, logit_scale: float,
                      size: Tuple[int, int], sigma: float) -> Tensor:
    """SimCC logits as the heatmaps an ``MSRAHeatmap`` codec would render::

        p_x = softmax(s * x),  p_y = softmax(s * y)        (the mentor's own
                                                            distributions)
        h_x(x') = sum_b p_x(b) exp(-(x' - b W'/B_x)^2 / (2 sigma^2))
        h_y(y') = sum_b p_y(b) exp(-(y' - b H'/B_y)^2 / (2 sigma^2))
        h(y', x') = h_y(y') h_x(x')

    the outer product of the x and y distributions, each rendered with the
    student codec's Gaussian: the expected student target
    ``E_{(x, y) ~ p_x p_y}[g_sigma(. - x) g_sigma(. - y)]``. A confident
    mentor gives the codec's Gaussian (peak 1) at its keypoint; an unsure
    one a lower, wider blob.

    Args:
        simcc_x, simcc_y (Tensor): ``(N, K, B_x)`` and ``(N, K, B_y)``.
        logit_scale (float): ``s``, the ``beta`` of the mentor's
            ``KLDiscretLoss`` (its outputs become probabilities as
            ``softmax(beta * x)``).
        size: the student's heatmap size ``(W', H')``.
        sigma (float): the student codec's Gaussian sigma, in heatmap pixels.

    Returns:
        Tensor: ``(N, K, H', W')``.
    """
    out_w, out_h = size
    p_x = torch.softmax(logit_scale * simcc_x.float(), -1)
    p_y = torch.softmax(logit_scale * simcc_y.float(), -1)
    h_x = p_x @ gaussian_rendering_matrix(p_x.shape[-1], out_w, sigma,
                                          p_x.device)
    h_y = p_y @ gaussian_rendering_matrix(p_y.shape[-1], out_h, sigma,
                                          p_y.device)
    return (h_y[..., :, None] * h_x[..., None, :]).to(simcc_x.dtype)


def heatmaps_to_simcc(heatmaps: Tensor, bins: Tuple[int, int],
                      eps: float = 1e-6) -> Tuple[Tensor, Tensor]:
    """Heatmaps as SimCC labels (``SimCCLabel`` with ``normalize=False``:
    peak 1) from their marginals::

        m_x(x) = sum_y max(h(y, x), 0),   m_y(y) = sum_x max(h(y, x), 0)
        x'(b)  = (m_x @ A_x)(b) / max_b (m_x @ A_x)(b)       b = 0 .. B_x - 1

    (``A`` the linear interpolation at ``x = b W / B_x``, see
    :mod:`.crop_position`; likewise for ``y``). A separable Gaussian heatmap
    ``g(x) g(y)`` gives back ``g`` on each axis. The student's divergence
    then softens them as it softens its own labels (``softmax(beta * x')``).

    Args:
        heatmaps (Tensor): ``(N, K, H, W)``.
        bins: the student's ``(B_x, B_y)``.

    Returns:
        ``(x', y')`` of shapes ``(N, K, B_x)`` and ``(N, K, B_y)``.
    """
    h = heatmaps.float().clamp_min(0)
    height, width = h.shape[-2:]
    out = []
    for marginal, src_len, dst_len in ((h.sum(-2), width, bins[0]),
                                       (h.sum(-1), height, bins[1])):
        resampled = marginal @ linear_resampling_matrix(src_len, dst_len,
                                                        h.device)
        peak = resampled.amax(-1, keepdim=True).clamp_min(eps)
        out.append((resampled / peak).to(heatmaps.dtype))
    return tuple(out)


def resample_simcc(simcc_x: Tensor, simcc_y: Tensor, bins: Tuple[int, int],
                   logit_scale_ratio: float = 1.0) -> Tuple[Tensor, Tensor]:
    """SimCC logits at another bin count (another input size or split
    ratio)::

        x'(b) = r * (x @ A_x)(b),   r = beta_mentor / beta_student

    (``A`` the linear interpolation at ``b' = b B_x / B'_x``) so that the
    student's ``softmax(beta_student * x')`` is the mentor's
    ``softmax(beta_mentor * x)`` resampled. Logits past the last mentor bin
    are extrapolated towards 0.
    """
    out = []
    for values, dst_len in ((simcc_x, bins[0]), (simcc_y, bins[1])):
        src_len = values.shape[-1]
        if src_len != dst_len:
            values = values @ linear_resampling_matrix(
                src_len, dst_len, values.device).to(values.dtype)
        out.append(values * logit_scale_ratio
                   if logit_scale_ratio != 1.0 else values)
    return tuple(out)
