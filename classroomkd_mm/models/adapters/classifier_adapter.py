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


@MODELS.register_module()
class ClassifierAdapter(BaseTaskAdapter):
    """Adapter for ``mmpretrain.ImageClassifier`` with a ``ClsHead``-family
    head (``LinearClsHead``, ``VisionTransformerClsHead``, ...).

    Error: per-sample cross-entropy against the label (``score_scale = 1``,
    so the score is the probability of the true class); divergence: KL
    between temperature-softened logits.
    """

    default_divergence = dict(type='LogitKLDivergence')

    @classmethod
    def supports(cls, model: nn.Module) -> bool:
        head = getattr(model, 'head', None)
        # Multi-label heads (MultiLabelClsHead, CSRAClsHead) score classes
        # with independent sigmoids: a softmax cross-entropy error and a
        # softmax KL would be meaningless for them.
        multi_label = any(c.__name__ == 'MultiLabelClsHead'
                          for c in type(head).__mro__)
        return (hasattr(model, 'extract_feat') and head is not None
                and not multi_label
                and hasattr(head, '_get_loss') and hasattr(head, 'pre_logits')
                and hasattr(head, 'loss_module'))

    def output_signature(self, model: nn.Module) -> Dict[str, object]:
        num_classes = getattr(model.head, 'num_classes', None)
        return {} if num_classes is None else dict(num_classes=num_classes)

    def head_outputs(self, model: nn.Module, features) -> Tensor:
        return model.head(features)

    def targets(self, data_samples: List, device: torch.device) -> Tensor:
        if 'gt_score' in data_samples[0]:
            return torch.stack([s.gt_score for s in data_samples]).to(device)
        return torch.cat([s.gt_label for s in data_samples]).to(device)

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
