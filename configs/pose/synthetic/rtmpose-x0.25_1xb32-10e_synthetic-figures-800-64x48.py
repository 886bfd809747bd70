# The RTMPose-family student of the RTMPose peers benchmark
# (configs/benchmarks/pose_synthetic_rtmpose_peers.py): CSPNeXt at 1/4 width
# (./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py otherwise) on the
# first 800 training figures for 10 epochs of batch 32 (250 iterations; the
# stage-2 pipeline in the last one), the same number of iterations as the
# heatmap student td-hm_res18-c16_1xb16-5e_synthetic-figures-800-64x48.py.
# Width 1/4, not 1/8 (./rtmpose-x0.125_1xb16-5e_synthetic-figures-800-
# 64x48.py, 8 channels in its stem): at 1/8 the student had learnt nothing
# (AP 0.02) after 250 iterations of batch 16 and reached AP 1.9 after 600;
# at 1/4 width 250 iterations of batch 16 gave AP 0.3, and of batch 32 (this
# file) AP 3.4 (seed 0, 500 validation figures, alone, no distillation):
# far below the x0.375 teacher, as the heatmap student is below its mentors.
_base_ = ['./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py']
max_epochs = 10
stage2_num_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0e-5, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', eta_min=_base_.base_lr * 0.05, begin=0,
         end=max_epochs, T_max=max_epochs, by_epoch=True,
         convert_to_iter_based=True),
]
train_dataloader = dict(
    dataset=dict(ann_file='annotations/synthetic_figures_train-800.json'))
default_hooks = dict(checkpoint=dict(interval=10))
custom_hooks = [
    dict(type='mmdet.PipelineSwitchHook',
         switch_epoch=max_epochs - stage2_num_epochs,
         switch_pipeline=_base_.train_pipeline_stage2)
]
