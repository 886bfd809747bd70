"""Per-sample weights injected into an mmpose keypoint loss module, exactly."""
from typing import Optional

import torch
from torch import Tensor


def _sample(x, i: int):
    if isinstance(x, (tuple, list)):
        return type(x)(_sample(v, i) for v in x)
    return x[i:i + 1]


def sample_weighted_keypoint_loss(loss_module, preds, gts,
                                  keypoint_weights: Tensor,
                                  student_confidence: Optional[Tensor] = None
                                  ) -> Tensor:
    """``loss_module(preds, gts, keypoint_weights)`` with the loss of sample
    ``i`` multiplied by ``student_confidence[i]`` (detached).

    mmpose's keypoint losses reduce over the samples of a batch as a (scaled)
    sum, ``L = c * sum_i L(i)`` (``c = 1 / N`` for ``KeypointMSELoss``,
    ``c = 1`` for ``KLDiscretLoss``); this returns
    ``c * sum_i p_s(i) L(i)``, so ``p_s = 1`` (or ``None``) gives the
    module's own value exactly:

    - ``KeypointMSELoss``: ``p_s`` enters as its ``mask`` argument;
    - ``KLDiscretLoss`` with ``use_target_weight=True``: ``p_s(i)`` scales the
      keypoint weights of sample ``i`` (the loss is linear in them);
    - any other loss: one call per sample gives ``L(i)``; ``c`` is read off
      the unweighted batch value.
    """
    if student_confidence is None:
        return loss_module(preds, gts, keypoint_weights)
    from mmpose.models.losses import KeypointMSELoss, KLDiscretLoss

    reference = preds[0] if isinstance(preds, (tuple, list)) else preds
    weights = student_confidence.detach().to(reference.dtype)
    if type(loss_module) is KeypointMSELoss:
        mask = weights.view(-1, *([1] * (reference.ndim - 1)))
        return loss_module(preds, gts, keypoint_weights, mask=mask)
    if type(loss_module) is KLDiscretLoss and loss_module.use_target_weight:
        return loss_module(preds, gts,
                           keypoint_weights * weights.view(-1, 1))
    per_sample = torch.stack([
        loss_module(_sample(preds, i), _sample(gts, i),
                    keypoint_weights[i:i + 1])
        for i in range(keypoint_weights.shape[0])
    ])
    with torch.no_grad():
        batch = loss_module(preds, gts, keypoint_weights)
        total = per_sample.sum()
        scale = torch.where(total != 0, batch / total, torch.ones_like(total))
    return scale * (weights * per_sample).sum()
