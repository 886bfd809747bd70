"""Task adapter for mmpose top-down estimators with a SimCC head (RTMPose)."""
from typing import Dict, List, NamedTuple, Optional

import torch
import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..policies.scores import student_mean_scale
from .base_task_adapter import BaseTaskAdapter
from .pose_heads import has_topdown_head
from .pose_loss_weighting import sample_weighted_keypoint_loss
from .simcc_peak_error import simcc_peak_error

ERRORS = ('loss', 'peak')


class SimCCTargets(NamedTuple):
    """Ground truth of a batch, as ``RTMCCHead.loss`` concatenates it."""
    x_labels: Tensor  # (N, K, Wx)
    y_labels: Tensor  # (N, K, Wy)
    keypoint_weights: Tensor  # (N, K)


def simcc_error(loss_module, pred_simcc, targets: SimCCTargets) -> Tensor:
    """Per-sample value of the head's own SimCC loss.

    For mmpose's ``KLDiscretLoss`` (``beta``, ``label_softmax``,
    ``use_target_weight`` taken from the module)::

        e(i) = sum_k w_ik [KL_x(i, k) + KL_y(i, k)] / K

    whose sum over the batch is the module's value; any other loss module is
    called on each sample alone. A sample with no visible keypoint gets NaN.
    """
    from mmpose.models.losses import KLDiscretLoss
    weights = targets.keypoint_weights
    gts = (targets.x_labels, targets.y_labels)
    if type(loss_module) is KLDiscretLoss:
        n, k = weights.shape
        per_kpt = sum(
            loss_module.criterion(p.reshape(n * k, -1).float(),
                                  g.reshape(n * k, -1).float()).view(n, k)
            for p, g in zip(pred_simcc, gts))
        if loss_module.use_target_weight:
            per_kpt = per_kpt * weights.to(per_kpt.dtype)
        error = per_kpt.sum(-1) / k
    else:
        error = torch.stack([
            loss_module(tuple(p[i:i + 1] for p in pred_simcc),
                        tuple(g[i:i + 1] for g in gts), weights[i:i + 1])
            for i in range(weights.shape[0])
        ]).float()
    return error.masked_fill((weights > 0).sum(-1) == 0, float('nan'))


@MODELS.register_module()
class SimCCAdapter(BaseTaskAdapter):
    """Adapter for mmpose ``TopdownPoseEstimator`` with an ``RTMCCHead`` or a
    ``SimCCHead``.

    Error: the per-sample value of the student head's own loss
    (:func:`simcc_error`); score scale: the detached batch mean of the
    student's errors; divergence: :class:`SimCCKLDivergence` over the x and y
    bins, with the loss's ``beta`` as logit scale. Mentors of another head
    family, input size, bin count or keypoint set are brought into the
    student's bins by their bridge first (docs/heterogeneous_classroom.md).

    Args:
        error (str): the per-sample error that ranks the student and the
            mentors: ``'loss'`` (default, the design: :func:`simcc_error`)
            or ``'peak'`` (:func:`simcc_peak_error`, the squared distance of
            the decoded keypoints, in bins).
    """

    def __init__(self, error: str = 'loss'):
        if error not in ERRORS:
            raise ValueError(f'SimCCAdapter: error={error!r} is not one of '
                             f'{ERRORS}.')
        self.error = error
        self.loss_module = None

    @classmethod
    def supports(cls, model: nn.Module) -> bool:
        return has_topdown_head(model, ('RTMCCHead', 'SimCCHead'))

    def bind(self, student: nn.Module):
        self.loss_module = student.head.loss_module

    @property
    def default_divergence(self) -> dict:
        beta = float(getattr(self.loss_module, 'beta', 1.0))
        return dict(type='SimCCKLDivergence', logit_scale=beta)

    def output_signature(self, model: nn.Module) -> Dict[str, object]:
        head = model.head
        ratio = float(head.simcc_split_ratio)
        width, height = (int(v) for v in head.input_size)
        return dict(
            num_keypoints=head.out_channels,
            input_size=(width, height),
            simcc_bins=(int(width * ratio), int(height * ratio)))

    def head_outputs(self, model: nn.Module, features):
        return tuple(model.head.forward(features))

    def targets(self, data_samples: List,
                device: torch.device) -> SimCCTargets:

        def cat(key):
            return torch.cat([d.gt_instance_labels[key]
                              for d in data_samples]).to(device)

        return SimCCTargets(
            cat('keypoint_x_labels'), cat('keypoint_y_labels'),
            cat('keypoint_weights'))

    def per_sample_error(self, outputs, targets: SimCCTargets) -> Tensor:
        if self.loss_module is None:
            raise RuntimeError(
                'SimCCAdapter: call bind(student) first; the per-sample '
                "error is the student head's own loss.")
        if self.error == 'peak':
            return simcc_peak_error(
                outputs, (targets.x_labels, targets.y_labels),
                targets.keypoint_weights)
        return simcc_error(self.loss_module, outputs, targets)

    def prediction_entropy(self, outputs) -> Tensor:
        """``H(i) = mean_k [H(softmax(s x_ik)) + H(softmax(s y_ik))]`` with
        ``s`` the loss's ``beta``."""
        scale = float(getattr(self.loss_module, 'beta', 1.0))
        return sum(
            torch.special.entr(torch.softmax(scale * o.float(), -1)).sum(-1)
            for o in outputs).mean(-1)

    def score_scale(self, student_errors: Tensor):
        return student_mean_scale(student_errors)

    def student_losses(self, student, outputs, targets: SimCCTargets,
                       data_samples,
                       student_confidence: Optional[Tensor] = None
                       ) -> Dict[str, Tensor]:
        """``RTMCCHead.loss`` on the already computed SimCC vectors and
        packed targets, with ``student_confidence`` injected into the head's
        own loss module as per-sample weights."""
        from mmpose.evaluation.functional import simcc_pck_accuracy
        from mmpose.utils.tensor_utils import to_numpy
        gts = (targets.x_labels, targets.y_labels)
        losses = dict(loss_kpt=sample_weighted_keypoint_loss(
            student.head.loss_module, tuple(outputs), gts,
            targets.keypoint_weights, student_confidence))
        _, avg_acc, _ = simcc_pck_accuracy(
            output=to_numpy(tuple(outputs)),
            target=to_numpy(gts),
            simcc_split_ratio=student.head.simcc_split_ratio,
            mask=to_numpy(targets.keypoint_weights) > 0)
        losses['acc_pose'] = torch.tensor(avg_acc, device=outputs[0].device)
        return losses
