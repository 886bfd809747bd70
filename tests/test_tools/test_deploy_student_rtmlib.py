"""An RTMPose-family (SimCC) student exported by tools/deploy_student.py
runs in rtmlib's ``RTMPose`` (its own affine crop, normalisation and SimCC
decoding) and gives mmpose's ``inference_topdown`` keypoints on a real COCO
image with its annotated person boxes. Latest stack: RTMPose's CSPNeXt
backbone is mmdet's."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from tests.helpers import REPO, SAMPLES
from tests.helpers.tiny_runs import load_tool

try:
    import mmdet  # noqa: F401
except ImportError:
    mmdet = None
pytestmark = [
    pytest.mark.usefixtures('mmpose_scope'),
    pytest.mark.skipif(
        mmdet is None,
        reason='RTMPose needs mmdet (CSPNeXt): it runs on the latest stack '
        '(tools/run_tests.sh latest), not on the pinned one'),
]

tool = load_tool('deploy_student')

STUDENT = osp.join(REPO, 'configs', 'pose', 'synthetic',
                   'rtmpose-x0.125_1xb16-5e_synthetic-figures-800-64x48.py')
IMAGE_ID = 196141
IMAGE = osp.join(SAMPLES, 'coco', f'000000{IMAGE_ID}.jpg')

# Both paths run the same weights (to ~1e-5 in the SimCC logits), the same
# crop (rtmlib's bbox_xyxy2cs(padding=1.25) + top_down_affine are mmpose's
# GetBBoxCenterScale + TopdownAffine) and the same decoding (argmax / 2,
# then back through the box), so the keypoints agree to float rounding
# (measured: 1e-5 px). One SimCC bin is 0.5 input px, about 3 image px for
# these boxes, so a mean under 1 px still allows one or two argmax flips
# among the 85 keypoints on near-ties, and fails any systematic error: the
# wrong colour order alone moves the keypoints by 14 px on average
# (checked below), a wrong input size order or box padding moves every
# keypoint.
MAX_MEAN_PIXEL_DISTANCE = 1.0


def person_boxes():
    with open(osp.join(SAMPLES, 'coco', 'test_coco.json')) as f:
        annotations = json.load(f)['annotations']
    return [[x, y, x + w, y + h] for a in annotations
            if a['image_id'] == IMAGE_ID for x, y, w, h in [a['bbox']]]


def save_student(path, options=None):
    """A randomly initialised RTMPose student (export and pre/post
    processing are what is tested, not accuracy)."""
    from mmengine.config import Config
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(STUDENT)
    cfg.merge_from_dict(options or {})
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                    meta=dict()), path)
    return path


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    return save_student(str(tmp_path_factory.mktemp('rtmpose') /
                            'student.pth'))


def mmpose_keypoints(checkpoint, boxes):
    from mmpose.apis import inference_topdown, init_model
    model = init_model(STUDENT, checkpoint, device='cpu')
    results = inference_topdown(model, IMAGE, np.array(boxes),
                                bbox_format='xyxy')
    keypoints = np.concatenate([r.pred_instances.keypoints for r in results])
    scores = np.concatenate(
        [r.pred_instances.keypoint_scores for r in results])
    return keypoints, scores


def rtmlib_keypoints(info, image, boxes):
    from rtmlib import RTMPose
    estimator = RTMPose(onnx_model=info['onnx']['path'],
                        model_input_size=tuple(info['input']['input_size_wh']),
                        mean=tuple(info['input']['mean']),
                        std=tuple(info['input']['std']),
                        backend='onnxruntime', device='cpu')
    keypoints, _ = estimator(np.ascontiguousarray(image), bboxes=boxes)
    return keypoints


def mean_distance(a, b, visible):
    # mmpose sets a keypoint whose smaller axis maximum is <= 0 to -1, rtmlib
    # does so on the mean of the two: compare where mmpose sees a location
    assert visible.sum() >= 0.8 * visible.size
    return float(np.linalg.norm(a - b, axis=-1)[visible].mean())


def test_rtmlib_bgr_export_gives_mmpose_keypoints(student, tmp_path):
    pytest.importorskip('rtmlib')
    import cv2
    info = tool.deploy_student(STUDENT, student, str(tmp_path / 'rtmpose'),
                               image=IMAGE, input_order='bgr')
    assert info['task'] == 'pose-simcc'
    assert [o['name'] for o in info['outputs']] == ['simcc_x', 'simcc_y']
    assert info['outputs'][0]['shape'] == ['batch', 17, 96]  # 48 * 2.0
    assert info['outputs'][1]['shape'] == ['batch', 17, 128]  # 64 * 2.0
    assert info['input']['input_size_wh'] == [48, 64]  # rtmlib's (W, H)
    assert info['input']['channel_order'] == 'bgr'
    assert info['decode']['simcc_split_ratio'] == 2.0
    assert info['check']['max_abs_difference'] <= 1e-4

    boxes = person_boxes()
    reference, scores = mmpose_keypoints(student, boxes)
    image = cv2.imread(IMAGE)  # what rtmlib's users pass
    got = rtmlib_keypoints(info, image, boxes)
    assert got.shape == reference.shape == (len(boxes), 17, 2)
    assert mean_distance(got, reference, scores > 0) < \
        MAX_MEAN_PIXEL_DISTANCE

    # the network-order (mmdeploy) export wants an RGB image in rtmlib;
    # given rtmlib's usual BGR image it is off, which this test would see
    plain = tool.deploy_student(STUDENT, student, str(tmp_path / 'network'),
                                image=IMAGE)
    assert plain['input']['channel_order'] == 'rgb'
    rgb = rtmlib_keypoints(plain, image[..., ::-1], boxes)
    assert mean_distance(rgb, reference, scores > 0) < \
        MAX_MEAN_PIXEL_DISTANCE
    wrong = rtmlib_keypoints(plain, image, boxes)
    assert mean_distance(wrong, reference, scores > 0) > \
        5 * MAX_MEAN_PIXEL_DISTANCE


def test_rtmlib_order_refuses_another_split_ratio(tmp_path):
    options = {'model.head.simcc_split_ratio': 3.0,
               'model.head.decoder.simcc_split_ratio': 3.0}
    student = save_student(str(tmp_path / 'r3.pth'), options)
    with pytest.raises(tool.DeploymentError,
                       match='simcc_split_ratio is 3.0.*rtmlib decodes '
                       'SimCC with a fixed ratio of 2.0'):
        tool.deploy_student(STUDENT, student, str(tmp_path / 'r3'),
                            image=IMAGE, input_order='bgr',
                            cfg_options=options)
