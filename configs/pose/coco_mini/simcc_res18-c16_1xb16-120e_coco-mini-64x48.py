# ./td-hm_res18-c16_1xb16-120e_coco-mini-64x48.py with mmpose's SimCCHead
# (body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py: a
# 1-D classification per axis at twice the input resolution, 96 x 128 bins
# here, KLDiscretLoss) instead of heatmaps. The SimCC sigma is the recipe's
# 6.0 at 192x256 scaled to 48x64 (1.5). Runs on both stacks (no mmdet).
_base_ = ['./td-hm_res18-c16_1xb16-120e_coco-mini-64x48.py']

codec = dict(type='SimCCLabel', input_size=(48, 64), sigma=6.0 * 48 / 192,
             simcc_split_ratio=2.0)
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

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='classroomkd_mm.FastRandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
