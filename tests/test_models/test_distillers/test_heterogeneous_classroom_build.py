"""Distillers built from mmpose's own zoo configs with mentors of other
head families, input sizes, output grids and keypoint sets: what is bridged
and what is refused at build (the loss steps are in
test_heterogeneous_classroom.py)."""
import pytest

from tests.helpers.zoo_models import (COCO_FROM_WHOLEBODY, CPM, HOURGLASS,
                                     HRNET_256, HRNET_384, MSPN, RLE,
                                     RTMPOSE_T, UDP_COMBINED, WHOLEBODY,
                                     classroom, zoo_model)

def test_every_head_family_and_size_is_bridged(mmpose_scope, tmp_path):
    model = classroom(zoo_model(HRNET_256), dict(
        rtmpose=(zoo_model(RTMPOSE_T), {}),
        hrnet384=(zoo_model(HRNET_384), {}),
        wholebody=(zoo_model(WHOLEBODY),
                   dict(keypoint_mapping=COCO_FROM_WHOLEBODY)),
        rle=(zoo_model(RLE), {}),
        mspn=(zoo_model(MSPN), {}),
        twin=(zoo_model(HRNET_256), {})), tmp_path)
    bridges = model.classroom.bridges
    # MSPN's final stage is already the student's space
    assert [n for n, b in bridges.items() if b.is_identity] == ['mspn', 'twin']
    assert bridges['wholebody'].keypoint_mask.all()
    assert bridges['wholebody'].maps_keypoints
    assert bridges['mspn'].mentor_space.multi_stage
    assert 'RLEHead regression' in bridges['rle'].describe()


@pytest.mark.parametrize('case,message', [
    ('no_mapping', r"Mentor 'm' predicts 133 keypoints but the student 17, "
     r'and the mentor has no keypoint_mapping. Add `keypoint_mapping='),
    ('out_of_range', r"Mentor 'm': keypoint_mapping pair \(133, 0\) is out "
     r'of range: the mentor predicts 133 keypoints'),
    ('classifier', r"Mentor 'm': is a ImageClassifier .*another task"),
    ('combined', r"Mentor 'm': uses the UDP combined-target codec"),
    ('aspect', r"Mentor 'm' takes 256x256 .* the aspect ratios differ"),
])
def test_unbridgeable_mentors_are_refused_at_build(case, message,
                                                   mmpose_scope, tmp_path):
    extra = {}
    if case in ('no_mapping', 'out_of_range'):
        mentor = zoo_model(WHOLEBODY)
        if case == 'out_of_range':
            extra = dict(keypoint_mapping=[(133, 0)])
    elif case == 'classifier':
        pytest.importorskip('mmpretrain')
        mentor = zoo_model('resnet/resnet18_8xb32_in1k.py', 'mmpretrain',
                           tiny=False)
        mentor['backbone'].update(base_channels=8, stem_channels=8)
        mentor['head'].update(in_channels=64, num_classes=17)
    elif case == 'combined':
        mentor = zoo_model(UDP_COMBINED)
    else:
        mentor = zoo_model(HOURGLASS, tiny=False)
        mentor['backbone'].update(stage_channels=[16] * 6, feat_channel=16)
        mentor['head'].update(in_channels=16)
    with pytest.raises(ValueError, match=message):
        classroom(zoo_model(HRNET_256), dict(m=(mentor, extra)), tmp_path)


@pytest.mark.parametrize('path,message', [
    (CPM, r'unsupported student TopdownPoseEstimator with head CPMHead\. '
     r'CPMHead .* is multi-stage.*can be mentors'),
    (UDP_COMBINED, r'The student: uses the UDP combined-target codec'),
])
def test_students_without_support_are_refused_at_build(path, message,
                                                       mmpose_scope):
    from classroomkd_mm.models import ClassroomDistiller
    with pytest.raises(ValueError, match=message):
        ClassroomDistiller(student=zoo_model(path))
