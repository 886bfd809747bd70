# Student trained alone (NoKD): LeNet-5 on the scikit-learn digits.
_base_ = [
    '../../_base_/models/lenet5_digits.py',
    '../../_base_/datasets/digits_bs32.py',
    '../../_base_/schedules/digits_sgd_coslr_20e.py',
    'mmpretrain::_base_/default_runtime.py',
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=5, max_keep_ckpts=1, save_best='auto'))
