# Mentor: ResNet-18 (CIFAR stem, width 16) on the scikit-learn digits.
_base_ = [
    '../../_base_/models/resnet18-cifar_digits.py',
    '../../_base_/datasets/digits_bs32.py',
    '../../_base_/schedules/digits_sgd_coslr_20e.py',
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/classroomkd_runtime.py',
]
param_scheduler = dict(T_max=10)
train_cfg = dict(max_epochs=10, val_interval=5)
default_hooks = dict(
    _base_.classroomkd_hooks,
    logger=dict(interval=10),
    # every epoch, so that early snapshots can serve as weak mentors
    checkpoint=dict(interval=1, max_keep_ckpts=10))
