"""Output spaces read from mmpose's own zoo configs (tiny backbones; the
heads and codecs are the configs')."""
import pytest
from tests.helpers.zoo_models import (CPM, HRNET_256, HRNET_384, MSPN, RLE,
                                      RTMPOSE_T, UDP_COMBINED, WHOLEBODY,
                                      zoo_model)

from classroomkd_mm.models.bridges.output_space import describe_pose_output


def build(path, package='mmpose'):
    from classroomkd_mm.registry import MODELS
    return MODELS.build(zoo_model(path, package))


@pytest.mark.parametrize('path,expected', [
    (HRNET_256, ('heatmap', 'HeatmapHead', 17, (192, 256), (48, 64), 2.0)),
    (HRNET_384, ('heatmap', 'HeatmapHead', 17, (288, 384), (72, 96), 3.0)),
    (RTMPOSE_T, ('simcc', 'RTMCCHead', 17, (192, 256), (384, 512),
                 (4.9, 5.66))),
    (RLE, ('regression', 'RLEHead', 17, (192, 256), None, None)),
    (WHOLEBODY, ('simcc', 'RTMCCHead', 133, (192, 256), (384, 512),
                 (4.9, 5.66))),
    (MSPN, ('heatmap', 'MSPNHead', 17, (192, 256), (48, 64), None)),
])
def test_output_space_is_read_from_the_zoo_config(path, expected,
                                                  mmpose_scope):
    space = describe_pose_output('m', build(path))
    assert tuple(space[:6]) == expected
    assert space.predicts_sigma == (path == RLE)
    assert space.multi_stage == (path == MSPN)
    assert space.logit_scale == (10.0 if 'rtmpose' in path else 1.0)
    # RTMPose softens its labels (label_softmax=True); other heads do not
    assert space.label_softmax == ('rtmpose' in path)


def test_udp_combined_target_is_refused(mmpose_scope):
    with pytest.raises(ValueError, match=r"Mentor 'udp': uses the UDP "
                       r'combined-target codec .*three maps per keypoint.*'
                       r"heatmap_type='gaussian'"):
        describe_pose_output("Mentor 'udp'", build(UDP_COMBINED))


def test_a_classifier_is_another_task(mmpose_scope):
    pytest.importorskip('mmpretrain')
    model = zoo_model('resnet/resnet18_8xb32_in1k.py', 'mmpretrain',
                      tiny=False)
    model['backbone'].update(depth=18, base_channels=8, stem_channels=8)
    model['head'].update(in_channels=64, num_classes=10)
    from classroomkd_mm.registry import MODELS
    with pytest.raises(ValueError, match=r"Mentor 'cls': is a "
                       r'ImageClassifier with head LinearClsHead, not an '
                       r'mmpose top-down pose estimator \(another task\)'):
        describe_pose_output("Mentor 'cls'", MODELS.build(model))
