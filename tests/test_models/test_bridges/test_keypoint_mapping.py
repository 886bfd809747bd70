import pytest
import torch

from classroomkd_mm.models.bridges.keypoint_mapping import (
    keypoint_mapping_index, select_keypoints)


def test_mapping_selects_reorders_and_masks_missing_keypoints():
    # MPII-like mentor (4 keypoints) for a 5-keypoint student: student 0 <-
    # mentor 2, student 1 <- mentor 0, student 3 <- mentor 3; student 2 and 4
    # have no mentor keypoint.
    index, mask = keypoint_mapping_index('mpii', [(2, 0), (0, 1), (3, 3)], 4, 5)
    assert index.tolist() == [2, 0, 0, 3, 0]
    assert mask.tolist() == [True, True, False, True, False]
    outputs = torch.arange(2 * 4 * 3, dtype=torch.float32).view(2, 4, 3) + 1
    out = select_keypoints(outputs, index, mask)
    assert out.shape == (2, 5, 3)
    assert torch.equal(out[:, 0], outputs[:, 2])
    assert torch.equal(out[:, 1], outputs[:, 0])
    assert torch.equal(out[:, 3], outputs[:, 3])
    assert (out[:, 2] == 0).all() and (out[:, 4] == 0).all()


def test_whole_body_first_17_are_coco():
    index, mask = keypoint_mapping_index(
        'dwpose', [(i, i) for i in range(17)], 133, 17)
    assert mask.all() and index.tolist() == list(range(17))


@pytest.mark.parametrize('mapping,words', [
    ([(17, 0)], 'out of range'),
    ([(0, 17)], 'out of range'),
    ([(0, 1), (2, 1)], 'more than once'),
    ([], 'empty'),
    ([(0, )], 'pairs'),
])
def test_bad_mappings_are_refused_with_the_mentor_named(mapping, words):
    with pytest.raises(ValueError, match=words) as info:
        keypoint_mapping_index('aic', mapping, 17, 17)
    assert "'aic'" in str(info.value)
