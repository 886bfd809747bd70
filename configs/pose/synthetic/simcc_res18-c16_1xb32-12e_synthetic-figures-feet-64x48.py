# The ResNet-18 at 1/4 width of ./td-hm_res18-c16_1xb32-12e_synthetic-
# figures-64x48.py with mmpose's SimCCHead (SimCC: a 1-D classification per
# axis at twice the input resolution, KLDiscretLoss) instead of heatmaps,
# 64x48 crops, on the SYNTHETIC figures with feet (17 COCO keypoints; the
# data of configs/benchmarks/pose_synthetic_heterogeneous.py). The SimCC
# sigma is RTMPose's (4.9, 5.66) at 192x256, scaled to 48x64, as in
# ./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py. Runs on the pinned
# stack (no mmdet). Write the data first:
#   python tools/dataset_converters/synthetic_figures.py \
#       --out data/generated/synthetic_figures_feet --feet
_base_ = ['./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py']

codec = dict(type='SimCCLabel', input_size=(48, 64),
             sigma=(4.9 * 48 / 192, 5.66 * 64 / 256),
             simcc_split_ratio=2.0, normalize=False, use_dark=False)
model = dict(
    head=dict(
        _delete_=True,
        type='SimCCHead',
        in_channels=64,
        out_channels=17,
        input_size=codec['input_size'],
        # the backbone's stride is 16: a 4x3 feature map, 16x12 after the
        # two deconvolutions
        in_featuremap_size=(3, 4),
        simcc_split_ratio=codec['simcc_split_ratio'],
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        deconv_num_groups=(16, 16),
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(_delete_=True, flip_test=True))

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
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/synthetic_figures_val.json')
test_evaluator = val_evaluator
