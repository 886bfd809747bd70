"""Regression outputs (coordinates, and sigma where predicted) rendered as
the student's targets."""
from typing import Optional, Tuple

import torch
from torch import Tensor


def _gaussian_profile(centres: Tensor, spreads: Optional[Tensor],
                      length: int, sigma: float) -> Tensor:
    """``(N, K, length)`` expected 1-D codec Gaussian, see
    :func:`render_coordinates_as_heatmaps`; ``centres`` and ``spreads`` in
    cells."""
    cells = torch.arange(length, device=centres.device, dtype=torch.float32)
    variance = torch.full_like(centres, float(sigma)**2)
    amplitude = torch.ones_like(centres)
    if spreads is not None:
        variance = variance + spreads.float()**2
        amplitude = float(sigma) / variance.sqrt()
    d2 = (cells - centres[..., None])**2
    return amplitude[..., None] * torch.exp(-d2 / (2 * variance[..., None]))


def render_coordinates_as_heatmaps(coords: Tensor,
                                   sigmas: Optional[Tensor],
                                   size: Tuple[int, int],
                                   sigma: float) -> Tensor:
    """Normalised keypoint coordinates (``RegressionLabel``: ``c = x /
    W_in``) rendered as an ``MSRAHeatmap`` codec of Gaussian ``sigma``
    (heatmap pixels) renders them on a ``size = (W, H)`` heatmap, in
    expectation over the mentor's predicted spread::

        mu_x = c_x W,  s_x = sigma_x W           (likewise y, H)
        h_x(x) = sigma / sqrt(sigma^2 + s_x^2)
                 * exp(-(x - mu_x)^2 / (2 (sigma^2 + s_x^2)))
        h(y, x) = h_y(y) h_x(x)

    ``E_{k ~ N(mu, s^2)}[exp(-(x - k)^2 / (2 sigma^2))]`` in closed form.
    Without ``sigmas`` (``s = 0``) it is the codec's own Gaussian, at the
    continuous centre (mmpose's unbiased encoding; ``MSRAHeatmap`` with
    ``unbiased=False`` rounds the centre to a pixel). ``RLEHead``'s sigma
    (the scale of its residual likelihood) is read as a Gaussian standard
    deviation.

    Args:
        coords (Tensor): ``(N, K, 2)`` normalised ``(x, y)``.
        sigmas (Tensor, optional): ``(N, K, 2)`` normalised spreads.
        size: ``(W, H)``.
        sigma (float): the codec's sigma in heatmap pixels.

    Returns:
        Tensor: ``(N, K, H, W)``.
    """
    width, height = size
    scale = coords.new_tensor([width, height]).float()
    centres = coords.float() * scale
    spreads = None if sigmas is None else sigmas.float() * scale
    h_x = _gaussian_profile(centres[..., 0],
                            None if spreads is None else spreads[..., 0],
                            width, sigma)
    h_y = _gaussian_profile(centres[..., 1],
                            None if spreads is None else spreads[..., 1],
                            height, sigma)
    return (h_y[..., :, None] * h_x[..., None, :]).to(coords.dtype)


def render_coordinates_as_simcc(coords: Tensor, sigmas: Optional[Tensor],
                                bins: Tuple[int, int],
                                sigma: Tuple[float, float]
                                ) -> Tuple[Tensor, Tensor]:
    """Normalised keypoint coordinates rendered as ``SimCCLabel`` Gaussian
    labels (``normalize=False``) on ``bins = (B_x, B_y)`` bins, in
    expectation over the predicted spread::

        x'(b) = sigma_x / sqrt(sigma_x^2 + (s_x B_x)^2)
                * exp(-(b - c_x B_x)^2 / (2 (sigma_x^2 + (s_x B_x)^2)))

    (likewise ``y``), ``sigma = (sigma_x, sigma_y)`` the codec's, in bins.

    Returns:
        ``(x', y')`` of shapes ``(N, K, B_x)`` and ``(N, K, B_y)``.
    """
    out = []
    for axis in (0, 1):
        length = bins[axis]
        spread = None if sigmas is None else sigmas[..., axis] * length
        out.append(_gaussian_profile(coords[..., axis].float() * length,
                                     spread, length,
                                     sigma[axis]).to(coords.dtype))
    return tuple(out)
