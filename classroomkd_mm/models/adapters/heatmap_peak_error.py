"""Per-sample heatmap error from the decoded peaks, an alternative ranking
error for top-down heatmap heads."""
from torch import Tensor

from ..losses.keypoint_weighting import visible_keypoint_mean


def heatmap_peak_error(pred: Tensor, gt: Tensor,
                       keypoint_weights: Tensor) -> Tensor:
    """Per-sample keypoint-weighted squared distance between the peak of each
    predicted heatmap and the peak of its target, in heatmap cells::

        (y_ik, x_ik)   = argmax_hw pred_ik,   (y*_ik, x*_ik) = argmax_hw gt_ik
        d_ik           = (y_ik - y*_ik)^2 + (x_ik - x*_ik)^2
        e(i)           = sum_k w_ik d_ik / |{k: w_ik > 0}|

    Unlike the heatmap MSE, it judges where a network puts each keypoint,
    not how its heatmap is shaped: a low, flat heatmap (a weak network's
    typical output) has a small MSE against a Gaussian target but a peak
    anywhere. A sample with no visible keypoint gets NaN. Not
    differentiable (it only ranks).

    Args:
        pred, gt (Tensor): ``(N, K, H, W)``.
        keypoint_weights (Tensor): ``(N, K)``.
    """
    width = pred.shape[-1]

    def peaks(heatmaps):
        index = heatmaps.detach().float().flatten(2).argmax(-1)
        return index // width, index % width

    y, x = peaks(pred)
    y_gt, x_gt = peaks(gt)
    distance = ((y - y_gt).pow(2) + (x - x_gt).pow(2)).float()
    return visible_keypoint_mean(distance,
                                 keypoint_weights.to(distance.dtype),
                                 float('nan'))
