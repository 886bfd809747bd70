# SimpleBaseline (ResNet-18 at 1/4 width, 64x48 input, 16x12 heatmaps: the
# model of ../samples/td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py) on the
# SYNTHETIC articulated figures (tools/dataset_converters/synthetic_figures.py:
# procedurally rendered, COCO keypoint format, not COCO), all 2,000 training
# figures, 12 epochs. mmpose's CocoDataset and CocoMetric read and score
# them as COCO. Write the data first:
#   python tools/dataset_converters/synthetic_figures.py
# The pose method benchmark (configs/benchmarks/pose_synthetic_methods.py)
# trains its mentors from this file and its wider variant
# (td-hm_res18-c32_1xb32-12e_synthetic-figures-64x48.py).
_base_ = ['../samples/td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']
custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

train_cfg = dict(
    _delete_=True, by_epoch=True, max_epochs=12, val_interval=4)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.1,
         by_epoch=False),
    dict(type='CosineAnnealingLR', T_max=12, eta_min=1e-5,
         begin=0, end=12, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=4, by_epoch=True, save_best='coco/AP',
                    rule='greater', max_keep_ckpts=1))
log_processor = dict(by_epoch=True)

data_root = 'data/generated/synthetic_figures/'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    # mmpose's RandomBBoxTransform, same draws, without scipy's slow
    # truncnorm (classroomkd_mm/datasets/transforms)
    dict(type='classroomkd_mm.FastRandomBBoxTransform',
         scale_factor=(0.8, 1.2), rotate_factor=30),
    dict(type='TopdownAffine', input_size=_base_.codec['input_size']),
    dict(type='GenerateTarget', encoder=_base_.codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/synthetic_figures_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/synthetic_figures_val.json',
        data_prefix=dict(img='images/')))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/synthetic_figures_val.json')
test_evaluator = val_evaluator
