# LeNet-5 (~60k parameters) on 32x32 grayscale digits: the small student.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='LeNet5', num_classes=-1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=120,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
