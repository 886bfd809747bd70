"""Task adapter for mmpretrain image classifiers (``ClsHead`` family)."""
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from classroomkd_mm.registry import MODELS
from .base_task_adapter import BaseTaskAdapter


def classification_error(logits: Tensor, targets: Tensor) -> Tensor:
    """Per-sample cross-entropy ``e(i) = -sum_c y_ic * log softmax(z_i)_c``.

    Args:
        logits (Tensor): ``(N, C)``.
        targets (Tensor): ``(N,)`` class indices, or ``(N, C)`` soft targets
            (mixup, cutmix, label smoothing by batch augments).
    """
    log_probs = F.log_softmax(logits.float(), dim=-1)
    if targets.ndim == 1:
        return -log_probs.gather(1, targets[:, None].long())[:, 0]
    return -(targets.float() * log_probs).sum(-1)


def is_multi_label_head(head: nn.Module) -> bool:
    """``head`` is an mmpretrain ``MultiLabelClsHead`` (or subclass)."""
    return any(c.__name__ == 'MultiLabelClsHead' for c in type(head).__mro__)


def has_softmax_loss(head: nn.Module) -> bool:
    """``head``'s loss is mmpretrain's softmax ``CrossEntropyLoss`` (not
    sigmoid): a multi-label head trained so scores single-label classes, as
    mmpretrain's mixup and cutmix configs do
    (``MultiLabelLinearClsHead`` with ``CrossEntropyLoss(use_soft=True)``)."""
    loss = getattr(head, 'loss_module', None)
    return type(loss).__name__ == 'CrossEntropyLoss' and not getattr(
        loss, 'use_sigmoid', False)


@MODELS.register_module()
class ClassifierAdapter(BaseTaskAdapter):
    """Adapter for ``mmpretrain.ImageClassifier`` with a ``ClsHead``-family
    head (``LinearClsHead``, ``VisionTransformerClsHead``, ...).

    A ``MultiLabelClsHead`` is accepted only with a softmax
    ``CrossEntropyLoss`` (mmpretrain's mixup/cutmix configs for single-label
    datasets); samples must then carry one label each (or mixed scores).
    Multi-label heads scored with independent sigmoids are refused: a
    softmax error and a softmax KL would be meaningless for them.

    Error: per-sample cross-entropy against the label (``score_scale = 1``,
    so the score is the probability of the true class); divergence: KL
    between temperature-softened logits.
    """

    default_divergence = dict(type='LogitKLDivergence')

    @classmethod
    def supports(cls, model: nn.Module) -> bool:
        head = getattr(model, 'head', None)
        return (hasattr(model, 'extract_feat') and head is not None
                and hasattr(head, '_get_loss') and hasattr(head, 'pre_logits')
                and hasattr(head, 'loss_module')
                and (not is_multi_label_head(head)
                     or has_softmax_loss(head)))

    def output_signature(self, model: nn.Module) -> Dict[str, object]:
        num_classes = getattr(model.head, 'num_classes', None)
        return {} if num_classes is None else dict(num_classes=num_classes)

    def head_outputs(self, model: nn.Module, features) -> Tensor:
        return model.head(features)

    def targets(self, data_samples: List, device: torch.device) -> Tensor:
        if 'gt_score' in data_samples[0]:
            return torch.stack([s.gt_score for s in data_samples]).to(device)
        labels = [s.gt_label for s in data_samples]
        if any(label.numel() != 1 for label in labels):
            raise ValueError(
                'ClassifierAdapter: a sample carries '
                f'{[label.numel() for label in labels]} labels; the '
                'distiller needs single-label data (one label per image, or '
                "mixed scores from the student's batch augments).")
        return torch.cat(labels).to(device)

    def per_sample_error(self, outputs: Tensor, targets: Tensor) -> Tensor:
        return classification_error(outputs, targets)

    def prediction_entropy(self, outputs: Tensor) -> Tensor:
        """``H(i) = -sum_c q_ic log q_ic`` with ``q_i = softmax(z_i)``."""
        return torch.special.entr(torch.softmax(outputs.float(), -1)).sum(-1)

    def student_losses(self, student, outputs, targets, data_samples,
                       student_confidence=None) -> Dict[str, Tensor]:
        """``ClsHead._get_loss`` (which reads the labels from
        ``data_samples`` itself), with ``student_confidence`` as its
        per-sample ``weight``."""
        kwargs = {} if student_confidence is None else dict(
            weight=student_confidence.detach())
        return student.head._get_loss(outputs, data_samples, **kwargs)
