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


def quadratic_resampling_matrix(src_len: int, dst_len: int,
                                device=None, start: float = 0.0,
                                step: float = None) -> Tensor:
    """``(src_len, dst_len)`` matrix ``Q`` of 3-point Lagrange (quadratic)
    interpolation at the source positions ``q_j = start + j * step``
    (default ``start = 0``, ``step = src_len / dst_len``, the module
    docstring's mapping; a mentor file's padded input shifts and scales them, see
    :func:`~.crop_resize.crop_placement`): destination cell ``j`` reads the
    source cells ``i0, i0 + 1, i0 + 2`` around ``q_j``
    (``i0 = clamp(round(q_j) - 1, 0, src_len - 3)``) with weights::

        Q[i0 + a, j] = prod_{b != a} (q_j - i0 - b) / (a - b)

    It reproduces every polynomial of degree 2 exactly, so ``v @ Q`` moves
    a log-Gaussian (a parabola) to another grid without error."""
    if src_len < 3:
        raise ValueError(f'quadratic resampling needs at least 3 source '
                         f'cells, got {src_len}.')
    step = src_len / dst_len if step is None else step
    q = start + torch.arange(dst_len, device=device,
                             dtype=torch.float32) * step
    i0 = (torch.round(q) - 1).clamp(0, src_len - 3)
    t = q - i0
    weights = torch.stack([(t - 1) * (t - 2) / 2, -t * (t - 2),
                           t * (t - 1) / 2])
    matrix = torch.zeros(src_len, dst_len, device=device)
    rows = i0.long()[None] + torch.arange(3, device=device)[:, None]
    cols = torch.arange(dst_len, device=device)[None].expand(3, -1)
    matrix[rows, cols] = weights
    return matrix
