# ResNet-34 (CIFAR stem) on CIFAR-100, a mentor that the mmpretrain model zoo
# does not have: train it first
#   python tools/train.py configs/classification/cifar100/resnet34_8xb16-200e_cifar100.py
_base_ = [
    'mmpretrain::resnet/resnet50_8xb16_cifar100.py',
    '../../_base_/classroomkd_runtime.py',
]
# the project's hooks (configs/_base_/classroomkd_runtime.py)
default_hooks = dict(_base_.classroomkd_hooks)
model = dict(
    backbone=dict(depth=34),
    head=dict(in_channels=512, num_classes=100))
