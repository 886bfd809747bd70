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


#: how a mentor file's input is filled with the student's crop.
FITS = ('padded', 'stretched')


def crop_placement(crop_size: Tuple[int, int], input_size: Tuple[int, int],
                   fit: str) -> Tuple[Tuple[float, float],
                                      Tuple[float, float]]:
    """Where the student's ``crop_size = (w, h)`` crop lies on a mentor
    file's ``input_size = (W, H)`` input: crop pixel ``u`` at input pixel
    ``offset + scale * u`` on each axis, returned as
    ``((offset_x, offset_y), (scale_x, scale_y))``:

    - ``'stretched'``: ``scale = (W / w, H / h)``, offset 0 (the crop
      resized to the input, the person squashed where the aspect ratios
      differ);
    - ``'padded'``: the crop resized by ``f = min(W / w, H / h)`` to
      ``(w', h') = (round(f w), round(f h))`` pixels and placed at
      ``offset = ((W - w') // 2, (H - h') // 2)`` (zero padding around it;
      the person keeps its shape), ``scale = (w' / w, h' / h)``.
    """
    (w, h), (width, height) = crop_size, input_size
    if fit == 'stretched':
        return (0.0, 0.0), (width / w, height / h)
    if fit != 'padded':
        raise ValueError(f'fit must be one of {FITS}, got {fit!r}.')
    f = min(width / w, height / h)
    resized_w, resized_h = int(round(f * w)), int(round(f * h))
    return (float((width - resized_w) // 2), float(
        (height - resized_h) // 2)), (resized_w / w, resized_h / h)
