"""A mentor's outputs read back as the label its own codec renders, as
log-labels on its own grid.

Every mentor family is trained towards a codec label at the keypoint: a
peak-1 Gaussian ``g(j) = exp(-(j - mu)^2 / (2 sigma^2))`` per axis
(``MSRAHeatmap`` heatmaps ``g(y) g(x)``, ``SimCCLabel`` bins). Reading an
output back as ``log g`` (a parabola for a perfect mentor) lets the student
side (:mod:`.student_targets`) move it to another grid, width and target
convention exactly. Log-labels are normalised to peak ``0`` at the
*continuous* maximum (:func:`continuous_peak`), so a perfect mentor's label
peaks at 1 wherever the keypoint falls between grid cells; the peak height
a heatmap mentor predicts is kept apart as its log-amplitude.
"""
from typing import Tuple

import torch
from torch import Tensor

#: the smallest label value read back (log-labels are at least log(EPS)).
EPS = 1e-30


def continuous_peak(values: Tensor) -> Tensor:
    """``(...,)`` maximum of the parabola through the largest of ``values``
    (``(..., L)``) and its two neighbours::

        i = argmax v,  a, b, c = v[i - 1], v[i], v[i + 1]
        peak = b - (a - c)^2 / (8 (a - 2 b + c))     (where a - 2b + c < 0)

    exact for a sampled parabola (a log-Gaussian) whose vertex lies between
    cells; ``max v`` at the border or where the three are not concave."""
    top, index = values.max(-1)
    length = values.shape[-1]
    if length < 3:
        return top
    inner = index.clamp(1, length - 2)
    a = values.gather(-1, (inner - 1)[..., None])[..., 0]
    c = values.gather(-1, (inner + 1)[..., None])[..., 0]
    curvature = a - 2 * top + c
    concave = (index == inner) & (curvature < 0)
    shift = (a - c)**2 / (8 * curvature.abs().clamp_min(1e-12))
    return torch.where(concave, top + shift.clamp(max=(a - c).abs() / 2),
                       top)


def simcc_log_labels(simcc: Tensor, beta: float, label_softmax: bool,
                     label_beta: float) -> Tensor:
    """A SimCC head's logits ``x`` (``(N, K, B)``) as its codec's log-label,
    peak 0, from the target its ``KLDiscretLoss`` trains
    ``softmax(beta x)`` towards:

    - ``label_softmax=True`` (RTMPose): ``softmax(beta x) =
      softmax(label_beta g)``, so ``g = (beta / label_beta)(x - x*) + 1``
      (``x*`` the continuous peak of ``x``) and the log-label is
      ``log max(g, EPS)``;
    - ``label_softmax=False`` (``SimCCHead``, normalised labels):
      ``softmax(beta x) = g / sum g``, so ``log g = beta x - (beta x)*``.
    """
    if label_softmax:
        scaled = simcc.float() * (beta / label_beta)
        label = scaled - continuous_peak(scaled)[..., None] + 1
        return label.clamp_min(EPS).log()
    scaled = simcc.float() * beta
    return scaled - continuous_peak(scaled)[..., None]


def heatmap_log_labels(heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
    """``(N, K, H, W)`` heatmaps as ``(log_shape, log_amplitude)``:
    ``log max(h, EPS) = log_amplitude + log_shape`` with ``log_shape`` peak
    0 at the continuous maximum (the parabola peaks along the row and the
    column of the largest value, added: exact for ``g(y) g(x)``)."""
    log_h = heatmaps.float().clamp_min(EPS).log()
    n, k, height, width = log_h.shape
    flat = log_h.flatten(2).argmax(-1)
    row = log_h.gather(2, (flat // width).view(n, k, 1, 1).expand(
        -1, -1, 1, width))[:, :, 0]
    col = log_h.gather(3, (flat % width).view(n, k, 1, 1).expand(
        -1, -1, height, 1))[..., 0]
    amplitude = (continuous_peak(row) + continuous_peak(col) -
                 log_h.flatten(2).amax(-1))
    return log_h - amplitude[..., None, None], amplitude


def heatmap_marginal_log_labels(heatmaps: Tensor
                                ) -> Tuple[Tensor, Tensor, Tensor]:
    """``(N, K, H, W)`` heatmaps as per-axis log-labels
    ``(log_x, log_y, log_amplitude)`` from their marginals::

        m_x(x) = sum_y max(h(y, x), 0),   log_x = log m_x - (log m_x)*

    (likewise ``y``; ``*`` the continuous peak). A separable
    ``A g(y) g(x)`` gives ``log g`` on each axis and ``log A``."""
    h = heatmaps.float().clamp_min(0)
    out = []
    for marginal in (h.sum(-2), h.sum(-1)):
        log_m = marginal.clamp_min(EPS).log()
        out.append(log_m - continuous_peak(log_m)[..., None])
    return out[0], out[1], heatmap_log_labels(heatmaps)[1]
