# ResNet-18 (CIFAR stem) on CIFAR-100, mmpretrain's CIFAR recipe with the
# CIFAR-100 head and decay of resnet50_8xb16_cifar100. Used twice:
#   - as the NoKD baseline of the ClassroomKD student;
#   - as a peer mentor: train it first
#     python tools/train.py configs/classification/cifar100/resnet18_8xb16-200e_cifar100.py
_base_ = [
    'mmpretrain::resnet/resnet50_8xb16_cifar100.py',
    '../../_base_/classroomkd_runtime.py',
]
# the project's hooks (configs/_base_/classroomkd_runtime.py)
default_hooks = dict(_base_.classroomkd_hooks)
model = dict(
    backbone=dict(depth=18),
    head=dict(in_channels=512, num_classes=100))
