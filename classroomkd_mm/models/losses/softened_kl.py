"""The temperature-softened KL divergence every logit-like divergence uses."""
import torch.nn.functional as F
from torch import Tensor


def softened_kl(student_logits: Tensor, mentor_logits: Tensor,
                temperature: Tensor) -> Tensor:
    """KL divergence from the student's softened distribution to the
    mentor's, over the last dimension::

        q = softmax(z_s / T),   p = softmax(z_m / T)
        KL(p || q) = sum_j p_j (log p_j - log q_j)

    computed from log-softmaxes (no ``log 0``).

    Args:
        student_logits (Tensor): ``(..., C)`` logits ``z_s``.
        mentor_logits (Tensor): ``(..., C)`` logits ``z_m`` (detached); cast
            to the student's dtype.
        temperature (Tensor): ``T``, broadcastable to the logits (e.g.
            ``(N, 1)`` for ``(N, C)`` logits, ``(N, 1, 1)`` for ``(N, K, C)``).

    Returns:
        Tensor: the logits' shape without the last dimension.
    """
    log_q = F.log_softmax(student_logits / temperature, -1)
    log_p = F.log_softmax(
        mentor_logits.to(student_logits.dtype) / temperature, -1)
    return (log_p.exp() * (log_p - log_q)).sum(-1)
