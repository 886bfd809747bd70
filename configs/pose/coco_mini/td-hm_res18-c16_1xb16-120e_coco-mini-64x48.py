# SimpleBaseline (ResNet-18 at 1/4 width, 64x48 input, 16x12 heatmaps: the
# model of ../samples/td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py) on
# COCO-MINI (../../_base_/datasets/coco_mini.py: 86 real people of COCO
# train2017 for training, 68 of val2017 held out), from scratch (no
# pretrained weights on this machine). mmpose's td-hm recipe
# (body_2d_keypoint/topdown_heatmap/coco/td-hm_res50_8xb64-210e_coco-
# 256x192.py) at CPU size: the same augmentation (flip, half body, random
# shift/scale/rotate of the box), Adam, a short warm-up; a cosine schedule
# over 120 epochs of batch 16 (6 iterations each) instead of 210 epochs of
# 512 with steps. The configs beside this one change the width, the
# backbone or the head.
_base_ = [
    '../../_base_/datasets/coco_mini.py',
    'mmpose::_base_/default_runtime.py',
    '../../_base_/classroomkd_runtime.py',
]
custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

train_cfg = dict(by_epoch=True, max_epochs=120, val_interval=20)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=30, start_factor=0.1,
         by_epoch=False),
    dict(type='CosineAnnealingLR', T_max=120, eta_min=1e-5,
         begin=0, end=120, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    _base_.classroomkd_hooks,
    logger=dict(interval=20),
    checkpoint=dict(interval=20, by_epoch=True, save_best='coco/AP',
                    rule='greater', max_keep_ckpts=1))
randomness = dict(seed=0)

codec = dict(
    type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=2)
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    # three stages (stride 16): a 4x3 feature map at 64x48
    backbone=dict(
        type='ResNet', depth=18, base_channels=16, num_stages=3,
        strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(2, )),
    head=dict(
        type='HeatmapHead',
        in_channels=64,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    # mmpose's RandomBBoxTransform with its defaults, the same draws
    # without scipy's slow truncnorm (classroomkd_mm/datasets/transforms)
    dict(type='classroomkd_mm.FastRandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
