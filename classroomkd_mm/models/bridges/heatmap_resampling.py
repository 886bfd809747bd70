"""Mentor heatmaps resampled to the student's heatmap size."""
from typing import Tuple

import torch
from torch import Tensor

from .crop_position import linear_resampling_matrix


def resample_heatmaps(heatmaps: Tensor, size: Tuple[int, int]) -> Tensor:
    """Bilinear resampling of ``(N, K, H, W)`` heatmaps to ``size = (W', H')``
    in mmpose's corner-anchored heatmap convention (pixel ``j`` at input
    pixel ``j * stride``; see :mod:`.crop_position`)::

        h'(y', x') = sum_{y, x} A_y[y, y'] A_x[x, x'] h(y, x)

    with ``A`` the linear interpolation at ``x = x' W / W'`` and
    ``y = y' H / H'``. A peak at mentor pixel ``(x, y)`` lands at student
    pixel ``(x W' / W, y H' / H)``. Separable matrix products: no host-device
    sync, differentiable.
    """
    height, width = heatmaps.shape[-2:]
    out_w, out_h = size
    if (width, height) == (out_w, out_h):
        return heatmaps
    a_x = linear_resampling_matrix(width, out_w, heatmaps.device).to(
        heatmaps.dtype)
    a_y = linear_resampling_matrix(height, out_h, heatmaps.device).to(
        heatmaps.dtype)
    return torch.einsum('nkhw,hy,wx->nkyx', heatmaps, a_y, a_x)
