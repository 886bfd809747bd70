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


# Keypoint names (issue 28): a mapping that contradicts them, or that feeds
# one mentor keypoint to several student keypoints, is refused unless opted
# in.

def pose_names(dataset):
    """The keypoint names of mmpose's dataset info file ``dataset``."""
    pytest.importorskip('mmpose')
    import warnings

    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    from classroomkd_mm.models.bridges.keypoint_mapping import keypoint_names
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # "uses mmpose's own copy"
        meta = parse_pose_metainfo(
            dict(from_file=f'configs/_base_/datasets/{dataset}.py'))
    return keypoint_names(meta)


def test_reversed_coco_to_coco_is_refused_where_both_name_keypoints():
    coco = pose_names('coco')
    assert coco[0] == 'nose' and len(coco) == 17
    reversed_pairs = [(i, 16 - i) for i in range(17)]
    with pytest.raises(ValueError, match=r"contradicts the keypoint names .* "
                       r"on 16 of 17 pairs \(mentor 0 'nose' -> student 16 "
                       r"'right_ankle'") as info:
        keypoint_mapping_index('flipped', reversed_pairs, 17, 17, coco, coco)
    assert "'flipped'" in str(info.value)
    assert 'allow_renamed_keypoints=True' in str(info.value)
    # without names on one side there is nothing to contradict
    index, _ = keypoint_mapping_index('flipped', reversed_pairs, 17, 17,
                                      coco, None)
    assert index.tolist() == list(range(16, -1, -1))
    # the documented opt-out
    index, _ = keypoint_mapping_index(
        'flipped', dict(pairs=reversed_pairs, allow_renamed_keypoints=True),
        17, 17, coco, coco)
    assert index.tolist() == list(range(16, -1, -1))


def test_one_mentor_keypoint_feeding_all_is_refused_naming_them():
    coco = pose_names('coco')
    fan_out = [(0, i) for i in range(17)]
    for names in ((None, None), (coco, coco)):
        with pytest.raises(ValueError, match='many-to-one') as info:
            keypoint_mapping_index('nose_only', fan_out, 17, 17, *names)
        assert 'allow_many_to_one=True' in str(info.value)
    assert "mentor keypoint 0 'nose' -> student keypoints 0 'nose', " \
        "1 'left_eye', 2 'right_eye'" in str(info.value)
    index, mask = keypoint_mapping_index(
        'nose_only', dict(pairs=fan_out, allow_many_to_one=True), 17, 17)
    assert index.tolist() == [0] * 17 and mask.all()


def test_a_valid_coco_to_mpii_mapping_passes():
    coco, mpii = pose_names('coco'), pose_names('mpii')
    assert len(mpii) == 16
    pairs = [(coco.index(n), mpii.index(n)) for n in mpii if n in coco]
    assert len(pairs) == 12  # shoulders, elbows, wrists, hips, knees, ankles
    index, mask = keypoint_mapping_index('coco', pairs, 17, 16, coco, mpii)
    assert mask.sum() == 12
    assert all(coco[index[s]] == mpii[s] for s in range(16) if mask[s])
    # one pair off by one (left_shoulder -> right_shoulder) is caught
    swapped = [(m, mpii.index('right_shoulder'))
               if coco[m] == 'left_shoulder' else
               (m, mpii.index('left_shoulder'))
               if coco[m] == 'right_shoulder' else (m, s) for m, s in pairs]
    with pytest.raises(ValueError, match="on 2 of 12 pairs .*mentor 5 "
                       "'left_shoulder' -> student 12 'right_shoulder'"):
        keypoint_mapping_index('coco', swapped, 17, 16, coco, mpii)


def test_the_dict_form_refuses_unknown_keys():
    with pytest.raises(ValueError, match='takes pairs=.*allow_many_to_one'):
        keypoint_mapping_index('m', dict(pairs=[(0, 0)], allow_all=True), 2,
                               2)


def test_keypoint_names_of_a_model_and_of_nothing():
    from classroomkd_mm.models.bridges.keypoint_mapping import keypoint_names
    coco = pose_names('coco')

    class Model:
        metainfo = None
        dataset_meta = dict(keypoint_id2name=dict(enumerate(coco)))
    assert keypoint_names(Model()) == coco
    assert keypoint_names(object()) is None
    assert keypoint_names(dict(num_keypoints=3)) is None


def test_the_bridge_checks_names_with_and_without_a_mapping():
    from classroomkd_mm.models.bridges.mentor_bridge import MentorBridge
    from classroomkd_mm.models.bridges.output_space import PoseOutputSpace
    coco, mpii = pose_names('coco'), pose_names('mpii')
    space = PoseOutputSpace('heatmap', 'HeatmapHead', 17, (48, 64), (12, 16),
                            2.0)
    with pytest.raises(ValueError, match='contradicts the keypoint names'):
        MentorBridge('flipped', space, space,
                     [(i, 16 - i) for i in range(17)], (coco, coco))
    assert MentorBridge('same', space, space, None, (coco, coco)).is_identity
    # 17 keypoints each, but not the same ones in the same order
    other = tuple(reversed(coco))
    with pytest.raises(ValueError, match="no keypoint_mapping.*16 of the 17 "
                       "keypoints are named differently \\(0: 'nose' vs "
                       "'right_ankle'"):
        MentorBridge('flipped', space, space, None, (coco, other))
    mpii_space = space._replace(num_keypoints=16)
    pairs = [(coco.index(n), mpii.index(n)) for n in mpii if n in coco]
    bridge = MentorBridge('coco', space, mpii_space, pairs, (coco, mpii))
    assert int(bridge.keypoint_mask.sum()) == 12
