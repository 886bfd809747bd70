"""Tiny mmpose top-down models for CPU tests (real mmpose components), a
distiller around them and a batch of pose data samples."""
import copy

import torch
from mmengine.structures import InstanceData, PixelData

CODEC_128x96 = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

DATA_PREPROCESSOR = dict(
    type='PoseDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)


def heatmap_model(num_keypoints=17, codec=CODEC_128x96, depth=18,
                  base_channels=16, width=None):
    """SimpleBaseline-style estimator: ResNet backbone + HeatmapHead.

    ``width`` != None uses a MobileNetV2 of that widen factor instead (to
    check mentors of another backbone)."""
    if width is None:
        backbone = dict(type='ResNet', depth=depth,
                        base_channels=base_channels)
        in_channels = base_channels * (8 if depth < 50 else 32)
    else:
        backbone = dict(type='MobileNetV2', widen_factor=width,
                        out_indices=(7, ))
        in_channels = 1280 if width <= 1.0 else int(1280 * width)
    return dict(
        type='TopdownPoseEstimator',
        data_preprocessor=copy.deepcopy(DATA_PREPROCESSOR),
        backbone=backbone,
        head=dict(
            type='HeatmapHead',
            in_channels=in_channels,
            out_channels=num_keypoints,
            deconv_out_channels=(32, 32, 32),
            deconv_kernel_sizes=(4, 4, 4),
            loss=dict(type='KeypointMSELoss', use_target_weight=True),
            decoder=copy.deepcopy(codec)),
        test_cfg=dict(flip_test=False))


def simcc_model(num_keypoints=17, input_size=(96, 128), channels=64):
    codec = dict(type='SimCCLabel', input_size=input_size, sigma=(4.9, 5.66),
                 simcc_split_ratio=2.0, normalize=False, use_dark=False)
    return dict(
        type='TopdownPoseEstimator',
        data_preprocessor=copy.deepcopy(DATA_PREPROCESSOR),
        backbone=dict(type='ResNet', depth=18, base_channels=16),
        head=dict(
            type='RTMCCHead',
            in_channels=128,
            out_channels=num_keypoints,
            input_size=input_size,
            in_featuremap_size=(input_size[0] // 32, input_size[1] // 32),
            simcc_split_ratio=2.0,
            final_layer_kernel_size=1,
            gau_cfg=dict(hidden_dims=channels, s=32, expansion_factor=2,
                         dropout_rate=0., drop_path=0., act_fn='SiLU',
                         use_rel_bias=False, pos_enc=False),
            loss=dict(type='KLDiscretLoss', use_target_weight=True,
                      beta=10., label_softmax=True),
            decoder=codec),
        test_cfg=dict(flip_test=False))


def save(model_cfg, path, seed=0):
    from mmpose.registry import MODELS
    torch.manual_seed(seed)
    torch.save(dict(state_dict=MODELS.build(model_cfg).state_dict()), path)
    return path


def distiller(student, mentors, tmp_path, **kwargs):
    from classroomkd_mm.models import ClassroomDistiller
    return ClassroomDistiller(
        student=student,
        mentors={
            name: dict(model=cfg,
                       checkpoint=save(cfg, str(tmp_path / f'{name}.pth'), i))
            for i, (name, cfg) in enumerate(mentors.items())
        },
        **kwargs)


def batch(n=4, k=17, visible=None):
    from mmpose.structures import PoseDataSample
    torch.manual_seed(1)
    samples = []
    for i in range(n):
        d = PoseDataSample()
        d.gt_fields = PixelData(heatmaps=torch.rand(k, 32, 24))
        w = torch.ones(1, k) if visible is None else visible[i:i + 1]
        d.gt_instance_labels = InstanceData(
            keypoint_weights=w,
            keypoint_x_labels=torch.softmax(torch.randn(1, k, 192), -1),
            keypoint_y_labels=torch.softmax(torch.randn(1, k, 256), -1))
        samples.append(d)
    return torch.randn(n, 3, 128, 96), samples
