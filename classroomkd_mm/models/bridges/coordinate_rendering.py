"""Regression outputs (coordinates, and sigma where predicted) rendered as
the student codec's log-labels."""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor


def coordinate_log_labels(coords: Tensor, sigmas: Optional[Tensor],
                          lengths: Tuple[int, int],
                          sigma: Sequence[float]
                          ) -> Tuple[Tensor, Tensor, Tensor]:
    """Normalised keypoint coordinates (``RegressionLabel``: ``c = x /
    W_in``) as the log of the label a Gaussian codec of ``sigma = (s_x,
    s_y)`` (cells) renders on grids of ``lengths = (L_x, L_y)`` cells
    (heatmap pixels or SimCC bins), in expectation over the mentor's
    predicted spread::

        mu = c L,  v = s^2 + (sigma_c L)^2
        log_x(j) = -(j - mu_x)^2 / (2 v_x)                   (likewise y)
        log_amplitude = log(s_x / sqrt(v_x)) + log(s_y / sqrt(v_y))

    ``E_{k ~ N(mu, (sigma_c L)^2)}[exp(-(j - k)^2 / (2 s^2))]`` in closed
    form. Without ``sigmas`` it is the codec's own label at the continuous
    centre (mmpose's unbiased encoding). ``RLEHead``'s sigma (the scale of
    its residual likelihood) is read as a Gaussian standard deviation.

    Args:
        coords (Tensor): ``(N, K, 2)`` normalised ``(x, y)``.
        sigmas (Tensor, optional): ``(N, K, 2)`` normalised spreads.

    Returns:
        ``(log_x, log_y, log_amplitude)`` of shapes ``(N, K, L_x)``,
        ``(N, K, L_y)``, ``(N, K)``.
    """
    out = []
    amplitude = torch.zeros(coords.shape[:-1], device=coords.device)
    for axis in (0, 1):
        length, s = lengths[axis], float(sigma[axis])
        centres = coords[..., axis].float() * length
        variance = torch.full_like(centres, s**2)
        if sigmas is not None:
            variance = variance + (sigmas[..., axis].float() * length)**2
            amplitude = amplitude + 0.5 * torch.log(s**2 / variance)
        cells = torch.arange(length, device=coords.device,
                             dtype=torch.float32)
        out.append(-(cells - centres[..., None])**2 /
                   (2 * variance[..., None]))
    return out[0], out[1], amplitude
