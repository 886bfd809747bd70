# The UCI handwritten digits (scikit-learn) as an ImageNet-style folder,
# written by `python tools/dataset_converters/digits_folder.py`.
# 32x32 grayscale, read by mmpretrain's CustomDataset.
dataset_type = 'CustomDataset'
data_root = 'data/generated/digits'

data_preprocessor = dict(
    num_classes=10,
    mean=[85.0],
    std=[110.0],
    to_rgb=False,
)

train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=100,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='val',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
