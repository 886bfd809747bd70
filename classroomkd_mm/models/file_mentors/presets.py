"""One-line declarations of well-known pose model files
(``FileMentor(preset=..., file=...)``); any field can be overridden."""
import copy

#: COCO's 17 keypoints, in COCO order.
COCO_KEYPOINTS = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                  'left_shoulder', 'right_shoulder', 'left_elbow',
                  'right_elbow', 'left_wrist', 'right_wrist', 'left_hip',
                  'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                  'right_ankle')

#: mmpose's ImageNet normalisation, listed in RGB order.
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def _rtmpose(channel_order: str) -> dict:
    return dict(
        input=dict(size=(192, 256), layout='NCHW', dtype='float32',
                   mean=IMAGENET_MEAN, std=IMAGENET_STD,
                   channel_order=channel_order, fit='padded'),
        # RTMPose's codec: SimCCLabel(sigma=(4.9, 5.66) at 192x256, split
        # ratio 2.0), RTMCCHead trained with KLDiscretLoss(beta=10,
        # label_softmax=True); the sigma scales with the input size.
        output=dict(kind='simcc', split_ratio=2.0, sigma='rtmpose', beta=10.,
                    label_softmax=True, label_beta=10.),
        keypoints=COCO_KEYPOINTS)


PRESETS = {
    # MoveNet SinglePose (Lightning 192x192 / Thunder 256x256; TFLite):
    # uint8 NHWC RGB 0-255, one image per call, outputs [1, 1, 17, 3] of
    # (y, x, score) in [0, 1] of its input, COCO keypoint order.
    'movenet_singlepose': dict(
        input=dict(size=(192, 192), layout='NHWC', dtype='uint8',
                   channel_order='RGB', fit='padded'),
        output=dict(kind='coordinates', units='normalised', order='yx',
                    scores=True),
        keypoints=COCO_KEYPOINTS),
    # RTMPose-family ONNX as mmdeploy exports it (and tools/deploy_student.py
    # with --input-order network): the RGB crop normalised with mmpose's
    # mean/std; outputs simcc_x, simcc_y.
    'rtmpose_mmdeploy': _rtmpose('RGB'),
    # The same files as rtmlib feeds them: a cv2 (BGR) crop normalised with
    # the mean/std as listed (tools/deploy_student.py --input-order bgr).
    'rtmpose_rtmlib': _rtmpose('BGR'),
}


def preset_declaration(name: str) -> dict:
    """A copy of preset ``name``'s declaration (input, output,
    keypoints)."""
    if name not in PRESETS:
        raise ValueError(f'FileMentor: unknown preset {name!r}; presets are '
                         f'{sorted(PRESETS)} (or declare input, output and '
                         'keypoints yourself).')
    return copy.deepcopy(PRESETS[name])
