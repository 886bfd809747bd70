"""Log-labels moved onto the student's grid and handed over as the target
the student's own loss trains towards.

The student's head is trained on a codec label ``g`` (a peak-1 Gaussian of
the student codec's sigma) through its own loss; a bridged mentor must hand
it the same thing, so that a perfect mentor is the student's target and is
judged with the student's own loss of the ground truth:

==========================================  ================================
student (head + loss)                        output whose training
                                             distribution is the target
==========================================  ================================
heatmap head + ``KeypointMSELoss``           ``h = A g(y) g(x)``
``RTMCCHead`` + ``KLDiscretLoss(beta,        ``x = (label_beta / beta) A g``:
label_softmax=True)`` (RTMPose)              ``softmax(beta x) =
                                             softmax(label_beta A g)``
``SimCCHead`` + ``KLDiscretLoss(beta,        ``x = log g / beta``:
label_softmax=False)``, normalised labels    ``softmax(beta x) = g / sum g``
==========================================  ================================

(``A`` the amplitude a heatmap or RLE mentor predicts, 1 for a sure one;
mmpose 1.1.0's ``KLDiscretLoss`` has no ``label_beta`` and softens labels
with ``beta``. The ``1 +`` changes no distribution, ``softmax`` being
shift-invariant; it keeps the peak positive, which mmpose's SimCC decoder
requires of a keypoint: ``get_simcc_maximal`` drops peaks ``<= 0``.)
"""
import math
from typing import NamedTuple, Optional, Sequence, Tuple

import torch
from torch import Tensor

from .crop_position import quadratic_resampling_matrix


class AxisPlacement(NamedTuple):
    """Where the student's grid cells lie on a mentor's grid along one
    axis: student cell ``j`` at mentor cell ``start + j * step``
    (:mod:`.crop_position`; ``start = 0``, ``step = L_m / L_s`` unless a
    mentor file's padded input moves the crop, see
    :func:`~.crop_resize.crop_placement`)."""
    start: float
    step: float


def match_width(log_labels: Tensor, mentor_sigma: Optional[float],
                target_sigma: Optional[float], dim: int = -1) -> Tensor:
    """Log-labels of a Gaussian codec of ``sigma_m`` cells, along ``dim`` of
    the mentor's own grid, made labels of ``sigma_t`` cells (the student
    codec's sigma measured in mentor cells, ``sigma_s * step``), keeping
    their peak height:

    - narrower (``sigma_t < sigma_m``): ``log g' = (sigma_m / sigma_t)^2
      log g``;
    - wider: the label convolved with a Gaussian of ``tau^2 = sigma_t^2 -
      sigma_m^2``, ``g' = (sigma_t / sigma_m) (g * k_tau) / sum_n
      k_tau(n)``, exact for a Gaussian (variances add) and blind to
      the far tails, which a power would lift.

    Unchanged where either sigma is unknown."""
    if mentor_sigma is None or target_sigma is None:
        return log_labels
    m, t = float(mentor_sigma), float(target_sigma)
    if t < m:
        return log_labels * (m / t)**2
    tau2 = t * t - m * m
    if tau2 < 1e-6:
        return log_labels
    moved = log_labels.float().movedim(dim, -1)
    length = moved.shape[-1]
    # the label continued past the grid (a log-Gaussian continues as its
    # parabola; never above the edge value), so that the edges keep the
    # mass a keypoint near the crop's border spreads beyond them
    pad = min(int(math.ceil(4 * math.sqrt(tau2))), 4 * length)
    extended = moved @ quadratic_resampling_matrix(
        length, length + 2 * pad, moved.device, -float(pad), 1.0)
    extended = torch.cat([
        torch.minimum(extended[..., :pad], moved[..., :1]),
        moved,
        torch.minimum(extended[..., pad + length:], moved[..., -1:])], -1)
    cells = torch.arange(length, device=moved.device, dtype=torch.float32)
    source = torch.arange(-pad, length + pad, device=moved.device,
                          dtype=torch.float32)
    kernel = torch.exp(-(source[:, None] - cells[None])**2 / (2 * tau2))
    offsets = torch.arange(-length - pad, length + pad + 1,
                           device=moved.device, dtype=torch.float32)
    norm = torch.exp(-offsets**2 / (2 * tau2)).sum()
    widened = (extended.exp() @ kernel) * (t / m / norm)
    return widened.clamp_min(1e-38).log().movedim(-1, dim)


def resample_log_labels(log_labels: Tensor, length: int,
                        placement: AxisPlacement) -> Tensor:
    """``(..., L)`` log-labels at the student's ``length`` cells (cell ``j``
    at mentor cell ``start + j step``), by quadratic interpolation (exact
    for a log-Gaussian)::

        log g'(j) = (log g @ Q)(j)
    """
    src_len = log_labels.shape[-1]
    if src_len != length or placement != AxisPlacement(0.0, 1.0):
        log_labels = log_labels @ quadratic_resampling_matrix(
            src_len, length, log_labels.device, *placement)
    return log_labels


def resample_log_heatmaps(log_heatmaps: Tensor, size: Tuple[int, int],
                          placements: Tuple[AxisPlacement, AxisPlacement]
                          ) -> Tensor:
    """``(N, K, H, W)`` log-labels at the student's ``size = (W', H')``:
    quadratic interpolation along each axis (exact for a separable
    log-Gaussian)."""
    height, width = log_heatmaps.shape[-2:]
    out_w, out_h = size
    q_x = quadratic_resampling_matrix(width, out_w, log_heatmaps.device,
                                      *placements[0])
    q_y = quadratic_resampling_matrix(height, out_h, log_heatmaps.device,
                                      *placements[1])
    return torch.einsum('nkhw,hy,wx->nkyx', log_heatmaps, q_y, q_x)


def log_labels_as_heatmaps(log_x: Tensor, log_y: Tensor,
                           log_amplitude: Tensor) -> Tensor:
    """``h(y, x) = A g_y(y) g_x(x)``: per-axis log-labels as the heatmap
    target of a ``KeypointMSELoss`` student, ``(N, K, H, W)``."""
    return torch.exp(log_amplitude[..., None, None] + log_y[..., :, None] +
                     log_x[..., None, :])


def log_labels_as_simcc(log_labels: Sequence[Tensor], log_amplitude: Tensor,
                        beta: float, label_softmax: bool,
                        label_beta: float) -> Tuple[Tensor, ...]:
    """Per-axis log-labels as SimCC outputs whose ``softmax(beta x)`` is the
    target the student's ``KLDiscretLoss`` trains towards (module
    docstring): ``(label_beta / beta) A g`` with ``label_softmax``, else
    ``1 + log g / beta``."""
    if label_softmax:
        amplitude = log_amplitude.exp()[..., None]
        return tuple((label_beta / beta) * amplitude * g.exp()
                     for g in log_labels)
    return tuple(1 + g / beta for g in log_labels)


def score_weighted_simcc(simcc: Sequence[Tensor], scores: Tensor,
                         beta: float) -> Tuple[Tensor, ...]:
    """A mentor's confidence ``s`` in ``[0, 1]`` (``(N, K)``) mixed into
    the target distribution: ``softmax(beta x') = s softmax(beta x) +
    (1 - s) / B`` (a keypoint it is unsure of teaches towards uniform)::

        x' = 1 + (log(s softmax(beta x) + (1 - s) / B) - max) / beta

    (the ``1 - max`` shift, as in :func:`log_labels_as_simcc`, keeps the
    peak at 1 for mmpose's decoder)."""
    s = scores.float().clamp(0, 1)[..., None]
    out = []
    for x in simcc:
        log_p = torch.logaddexp(
            s.log() + torch.log_softmax(beta * x.float(), -1),
            torch.log1p(-s) - math.log(x.shape[-1]))
        out.append(1 + (log_p - log_p.amax(-1, keepdim=True)) / beta)
    return tuple(out)


def score_weighted_heatmaps(heatmaps: Tensor, scores: Tensor) -> Tensor:
    """``h' = s h``: a heatmap target scaled by the mentor's confidence
    ``s`` in ``[0, 1]`` (``(N, K)``)."""
    return heatmaps * scores.float().clamp(0, 1)[..., None, None]
