# The CPU-sized SimpleBaseline of the COCO sample config on the 5 bundled
# MPII images (data/samples/mpii, 5 people), PCKh from MpiiPCKAccuracy.
# MPII ships no head boxes for these images: write mpii_headboxes.mat next
# to them with write_mpii_headboxes (tools/dataset_converters/mpii_headboxes.py)
# (tools/demo/coco_demo.py does).
_base_ = ['./td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']

codec = dict(
    type='MSRAHeatmap', input_size=(64, 64), heatmap_size=(16, 16), sigma=2)
model = dict(head=dict(out_channels=16, decoder=codec))

dataset_type = 'MpiiDataset'
data_root = 'data/samples/mpii/'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0, scale_factor=(0.9, 1.1),
         rotate_factor=10),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=5,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file='test_mpii.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file='test_mpii.json',
        headbox_file=data_root + 'mpii_headboxes.mat',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='MpiiPCKAccuracy')
test_evaluator = val_evaluator
