# A CPU-sized SimpleBaseline (ResNet-18 at 1/4 width, 64x48 input) on the
# 4 bundled COCO val images (data/samples/coco, 14 people). Training and
# evaluation use the same people: this shows the machinery end to end, it
# measures no generalisation. Mentors of other sizes override
# model.backbone (see tools/demo/coco_demo.py).
_base_ = [
    'mmpose::_base_/default_runtime.py',
    '../../_base_/classroomkd_runtime.py',
]

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=300,
    val_interval=300)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=300, by_epoch=False,
         milestones=[240], gamma=0.1),
]
default_hooks = dict(
    _base_.classroomkd_hooks,
    logger=dict(interval=50),
    checkpoint=dict(interval=300, by_epoch=False, save_best=None,
                    max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
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
    backbone=dict(
        type='ResNet', depth=18, base_channels=16, num_stages=3,
        strides=(1, 2, 2), dilations=(1, 1, 1),
        out_indices=(2, )),
    head=dict(
        type='HeatmapHead',
        in_channels=64,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = 'data/samples/coco/'

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', scale_factor=(0.9, 1.1),
         rotate_factor=10),
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

train_dataloader = dict(
    batch_size=14,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='test_coco.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='test_coco.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'test_coco.json')
test_evaluator = val_evaluator
