"""The student's person crop resized to a mentor's input size."""
from typing import Tuple

import torch.nn.functional as F
from torch import Tensor


def check_same_aspect_ratio(name: str, mentor_size: Tuple[int, int],
                            student_size: Tuple[int, int]):
    """Raise unless the mentor's input ``(W, H)`` has the student's aspect
    ratio (``W_m H_s == H_m W_s``, e.g. 192x256 and 288x384).

    A top-down crop is the person box expanded to the input's aspect ratio,
    so a mentor of another aspect ratio would need another crop of the
    image: stretching the student's crop would show the mentor persons
    squashed as it never saw them in training. Such a mentor is refused."""
    (w_m, h_m), (w_s, h_s) = mentor_size, student_size
    if w_m * h_s != h_m * w_s:
        raise ValueError(
            f'Mentor {name!r} takes {w_m}x{h_m} (WxH) crops but the student '
            f'takes {w_s}x{h_s}: the aspect ratios differ, so the mentor '
            "cannot be given the student's crop without stretching the "
            'person. Pick a mentor config of the same aspect ratio (mmpose '
            "top-down models use 3:4, e.g. 192x256 or 288x384) or change "
            "the student's input size.")


def resize_crop(inputs: Tensor, size: Tuple[int, int]) -> Tensor:
    """``(N, C, H, W)`` preprocessed crops resized to ``size = (W', H')``
    (bilinear, ``align_corners=False``); returned as is when the size
    already matches."""
    width, height = size
    if tuple(inputs.shape[-2:]) == (height, width):
        return inputs
    return F.interpolate(inputs, size=(height, width), mode='bilinear',
                         align_corners=False)
