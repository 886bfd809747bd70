# Student trained alone (NoKD): LeNet-5 on the scikit-learn digits, in the
# small-data setting: 30 training images per digit (`train-30pc`, 300 images),
# evaluated on the same 500 validation images as the mentors.
_base_ = [
    '../../_base_/models/lenet5_digits.py',
    '../../_base_/datasets/digits_bs32.py',
    '../../_base_/schedules/digits_sgd_coslr_20e.py',
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/classroomkd_runtime.py',
]
train_dataloader = dict(dataset=dict(data_prefix='train-30pc'))
default_hooks = dict(
    _base_.classroomkd_hooks,
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=1, save_best='auto'))
