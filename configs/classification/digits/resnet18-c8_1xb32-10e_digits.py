# Mentor (peer): ResNet-18 (CIFAR stem, width 8) on the scikit-learn digits.
_base_ = ['./resnet18-c16_1xb32-10e_digits.py']
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    head=dict(in_channels=64))
