"""Where a cell of an output grid lies on the person crop.

Every network of a classroom sees the same person crop (a mentor with
another input size sees it resized), so every output grid covers that crop.
mmpose anchors its grids at pixel corners: heatmap pixel ``j`` of a heatmap
``W`` pixels wide lies at input pixel ``j * stride = j * W_in / W``
(``MSRAHeatmap``), SimCC bin ``b`` at input pixel ``b / split_ratio``
(``SimCCLabel``), and a regression coordinate ``c`` at input pixel
``c * W_in`` (``RegressionLabel``). On the crop, as a fraction of its
width (or height), all three read::

    t = j / W        (heatmap pixel j of W)
    t = b / B        (SimCC bin b of B = W_in * split_ratio)
    t = c            (regression coordinate)

so going from one grid of length ``L_src`` to another of length ``L_dst``
maps cell ``j`` of the destination to position ``j * L_src / L_dst`` of the
source, whatever the input sizes.
"""
import torch
from torch import Tensor


def source_positions(src_len: int, dst_len: int, device=None) -> Tensor:
    """``q_j = j * src_len / dst_len`` for ``j = 0 .. dst_len - 1``: where
    each destination cell lies on the source grid."""
    return torch.arange(dst_len, device=device,
                        dtype=torch.float32) * (src_len / dst_len)


def linear_resampling_matrix(src_len: int, dst_len: int,
                             device=None) -> Tensor:
    """``(src_len, dst_len)`` matrix ``A`` of linear interpolation at the
    positions :func:`source_positions`::

        A[b, j] = max(0, 1 - |b - q_j|)

    so ``v @ A`` samples the 1-D signal ``v`` at ``q_j``; a position past the
    last source cell interpolates towards 0 (outside the grid)."""
    q = source_positions(src_len, dst_len, device)
    b = torch.arange(src_len, device=device, dtype=torch.float32)
    return (1 - (b[:, None] - q[None, :]).abs()).clamp_min(0)


def gaussian_rendering_matrix(src_len: int, dst_len: int, sigma: float,
                              device=None) -> Tensor:
    """``(src_len, dst_len)`` matrix ``G`` that renders a unit Gaussian of
    standard deviation ``sigma`` (destination cells) centred at each source
    cell, as mmpose's codecs render a keypoint::

        G[b, j] = exp(-(j - b * dst_len / src_len)^2 / (2 sigma^2))

    so ``p @ G`` is the expected rendering ``E_{b ~ p}[g(. - b)]`` for a
    distribution ``p`` over the source cells."""
    centres = torch.arange(src_len, device=device,
                           dtype=torch.float32) * (dst_len / src_len)
    j = torch.arange(dst_len, device=device, dtype=torch.float32)
    return torch.exp(-(j[None, :] - centres[:, None])**2 / (2 * sigma**2))
