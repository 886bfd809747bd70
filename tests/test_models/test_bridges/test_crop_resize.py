import pytest
import torch

from classroomkd_mm.models.bridges.crop_resize import (
    check_same_aspect_ratio, resize_crop)


def test_same_aspect_ratio_passes_and_another_is_refused():
    check_same_aspect_ratio('big', (288, 384), (192, 256))
    with pytest.raises(ValueError, match="'square'.*aspect ratios differ"):
        check_same_aspect_ratio('square', (256, 256), (192, 256))


def test_resize_crop_is_bilinear_align_corners_false():
    x = torch.arange(16.).view(1, 1, 4, 4)
    out = resize_crop(x, (6, 6))
    ref = torch.nn.functional.interpolate(x, size=(6, 6), mode='bilinear',
                                          align_corners=False)
    assert torch.equal(out, ref)
    assert resize_crop(x, (4, 4)) is x
