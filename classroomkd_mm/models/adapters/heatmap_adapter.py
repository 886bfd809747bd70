"""Task adapter for mmpose top-down estimators with a heatmap head."""
from typing import Dict, List, NamedTuple

import torch
import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..losses.keypoint_weighting import visible_keypoint_mean
from ..policies.scores import student_mean_scale
from .base_task_adapter import BaseTaskAdapter
from .heatmap_peak_error import heatmap_peak_error
from .pose_heads import has_topdown_head
from .pose_loss_weighting import sample_weighted_keypoint_loss

ERROR_NORMS = ('visible', 'all')
ERRORS = ('mse', 'peak')


class HeatmapTargets(NamedTuple):
    """Ground truth of a batch, as ``HeatmapHead.loss`` stacks it."""
    heatmaps: Tensor  # (N, K, H, W)
    keypoint_weights: Tensor  # (N, K)


def heatmap_error(pred: Tensor, gt: Tensor, keypoint_weights: Tensor,
                  norm: str = 'visible') -> Tensor:
    """Per-sample keypoint-weighted heatmap MSE::

        mse_ik = mean_hw (pred_ik - gt_ik)^2
        e(i)   = sum_k w_ik mse_ik / |{k: w_ik > 0}|      (norm='visible')
        e(i)   = sum_k w_ik mse_ik / K                     (norm='all')

    ``norm='all'`` is mmpose's ``KeypointMSELoss`` (which multiplies the
    squared error by the weight once, not squared) on sample ``i`` alone, so
    the batch mean equals ``KeypointMSELoss(pred, gt, w)``; ``'visible'``
    (default, the design) averages over the visible keypoints only and equals
    it when every keypoint is visible. A sample with no visible keypoint gets
    NaN either way: it carries no signal.

    Args:
        pred, gt (Tensor): ``(N, K, H, W)``.
        keypoint_weights (Tensor): ``(N, K)``.
    """
    if norm not in ERROR_NORMS:
        raise ValueError(f'heatmap_error: norm={norm!r} is not one of '
                         f'{ERROR_NORMS}.')
    pred = pred.float()
    mse = (pred - gt.to(pred.dtype)).pow(2).flatten(2).mean(-1)
    weights = keypoint_weights.to(pred.dtype)
    if norm == 'visible':
        return visible_keypoint_mean(mse, weights, float('nan'))
    error = (weights * mse).mean(-1)
    return error.masked_fill((weights > 0).sum(-1) == 0, float('nan'))


def pose_pck_acc(output: Tensor, target: Tensor,
                 keypoint_weights: Tensor) -> Tensor:
    """``acc_pose`` exactly as ``HeatmapHead.loss`` logs it."""
    from mmpose.evaluation.functional import pose_pck_accuracy
    from mmpose.utils.tensor_utils import to_numpy
    _, avg_acc, _ = pose_pck_accuracy(
        output=to_numpy(output),
        target=to_numpy(target),
        mask=to_numpy(keypoint_weights) > 0)
    return torch.tensor(avg_acc, device=target.device)


@MODELS.register_module()
class HeatmapAdapter(BaseTaskAdapter):
    """Adapter for mmpose ``TopdownPoseEstimator`` with a ``HeatmapHead`` (or
    a subclass that keeps its ``loss``: SimpleBaseline, HRNet, ViPNAS, ...).

    Error: :func:`heatmap_error`; score scale: the detached batch mean of the
    student's errors; divergence: :class:`HeatmapKLDivergence`. Mentors may
    have any backbone and width but must predict the same keypoints at the
    same heatmap size and input size.

    Args:
        error_norm (str): ``'visible'`` or ``'all'``, see
            :func:`heatmap_error`.
        error (str): the per-sample error that ranks the student and the
            mentors: ``'mse'`` (default, the design: :func:`heatmap_error`)
            or ``'peak'`` (:func:`heatmap_peak_error`, the squared distance
            of the decoded peaks, which does not let a flat heatmap pass for
            a good one).
    """

    default_divergence = dict(type='HeatmapKLDivergence')

    def __init__(self, error_norm: str = 'visible', error: str = 'mse'):
        if error_norm not in ERROR_NORMS:
            raise ValueError(f'HeatmapAdapter: error_norm={error_norm!r} is '
                             f'not one of {ERROR_NORMS}.')
        if error not in ERRORS:
            raise ValueError(f'HeatmapAdapter: error={error!r} is not one of '
                             f'{ERRORS}.')
        self.error_norm = error_norm
        self.error = error

    @classmethod
    def supports(cls, model: nn.Module) -> bool:
        return has_topdown_head(model, ('HeatmapHead', ))

    def output_signature(self, model: nn.Module) -> Dict[str, object]:
        head = model.head
        signature = dict(num_keypoints=head.out_channels)
        decoder = getattr(head, 'decoder', None)
        for key in ('heatmap_size', 'input_size'):
            if getattr(decoder, key, None) is not None:
                signature[key] = tuple(int(v) for v in getattr(decoder, key))
        return signature

    def head_outputs(self, model: nn.Module, features) -> Tensor:
        return model.head.forward(features)

    def targets(self, data_samples: List,
                device: torch.device) -> HeatmapTargets:
        heatmaps = torch.stack(
            [d.gt_fields.heatmaps for d in data_samples]).to(device)
        weights = torch.cat([
            d.gt_instance_labels.keypoint_weights for d in data_samples
        ]).to(device)
        return HeatmapTargets(heatmaps, weights)

    def per_sample_error(self, outputs: Tensor,
                         targets: HeatmapTargets) -> Tensor:
        if self.error == 'peak':
            return heatmap_peak_error(outputs, targets.heatmaps,
                                      targets.keypoint_weights)
        return heatmap_error(outputs, targets.heatmaps,
                             targets.keypoint_weights, self.error_norm)

    def prediction_entropy(self, outputs: Tensor) -> Tensor:
        """``H(i) = mean_k H(softmax_hw(h_ik))``, the spatial entropy of each
        keypoint's heatmap, averaged over keypoints."""
        probs = torch.softmax(outputs.float().flatten(2), -1)
        return torch.special.entr(probs).sum(-1).mean(-1)

    def score_scale(self, student_errors: Tensor):
        return student_mean_scale(student_errors)

    def student_losses(self, student, outputs, targets: HeatmapTargets,
                       data_samples, student_confidence=None
                       ) -> Dict[str, Tensor]:
        """``HeatmapHead.loss`` on the already computed heatmaps and packed
        targets, with ``student_confidence`` injected into the head's own
        loss module as per-sample weights."""
        losses = dict(loss_kpt=sample_weighted_keypoint_loss(
            student.head.loss_module, outputs, targets.heatmaps,
            targets.keypoint_weights, student_confidence))
        train_cfg = getattr(student, 'train_cfg', None) or {}
        if train_cfg.get('compute_acc', True):
            losses['acc_pose'] = pose_pck_acc(outputs, targets.heatmaps,
                                              targets.keypoint_weights)
        return losses
