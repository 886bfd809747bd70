# The student of the SYNTHETIC pose benchmark, trained alone (NoKD): the
# ResNet-18/16 SimpleBaseline of ./td-hm_res18-c16_1xb32-12e_synthetic-
# figures-64x48.py on the first 800 training figures, 5 epochs of batch 16
# (250 iterations): a small-data, short-schedule student, so that mentors
# trained on all 2,000 figures have something to teach.
_base_ = ['./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py']

train_cfg = dict(max_epochs=5, val_interval=3)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.1,
         by_epoch=False),
    dict(type='CosineAnnealingLR', T_max=5, eta_min=1e-5,
         begin=0, end=5, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
train_dataloader = dict(
    batch_size=16,
    dataset=dict(ann_file='annotations/synthetic_figures_train-800.json'))
