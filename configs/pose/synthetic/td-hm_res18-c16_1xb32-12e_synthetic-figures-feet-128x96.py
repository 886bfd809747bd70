# ./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py at twice the input
# size (128x96 crops, 32x24 heatmaps, the same ResNet-18 at 1/4 width and
# head) on the SYNTHETIC figures with feet (17 COCO keypoints; the data of
# configs/benchmarks/pose_synthetic_heterogeneous.py). Write the data first:
#   python tools/dataset_converters/synthetic_figures.py \
#       --out data/generated/synthetic_figures_feet --feet
_base_ = ['./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py']

codec = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
model = dict(head=dict(decoder=codec))

data_root = 'data/generated/synthetic_figures_feet/'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='classroomkd_mm.FastRandomBBoxTransform',
         scale_factor=(0.8, 1.2), rotate_factor=30),
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
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/synthetic_figures_val.json')
test_evaluator = val_evaluator
