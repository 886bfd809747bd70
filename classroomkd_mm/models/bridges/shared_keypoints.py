"""The keypoints a student shares with each mentor, per sample."""
from torch import Tensor


def shared_keypoint_weights(keypoint_weights: Tensor,
                            keypoint_masks: Tensor) -> Tensor:
    """``v_mik = w_ik * c_mk``: the student's keypoint weights restricted to
    the keypoints mentor ``m`` covers.

    Args:
        keypoint_weights (Tensor): ``(N, K)`` the student's target weights
            (0 for an invisible keypoint).
        keypoint_masks (Tensor): ``(M, K)`` bool, ``c_mk``: mentor ``m``
            predicts student keypoint ``k`` (its bridge's keypoint mask).

    Returns:
        Tensor: ``(M, N, K)``.
    """
    return keypoint_weights[None] * keypoint_masks[:, None].to(
        keypoint_weights.dtype)


def keypoint_coverage(keypoint_weights: Tensor,
                      keypoint_masks: Tensor) -> Tensor:
    """``rho_m(i) = |{k: w_ik > 0, c_mk}| / |{k: w_ik > 0}|``: the share of
    sample ``i``'s visible keypoints that mentor ``m`` covers (1 for a
    mentor that covers every keypoint; 0 on a sample without a visible
    keypoint, which carries no signal anyway).

    Returns:
        Tensor: ``(M, N)``.
    """
    visible = keypoint_weights > 0
    shared = (visible[None] & keypoint_masks[:, None]).sum(-1)
    return shared.float() / visible.sum(-1).clamp_min(1).float()[None]
