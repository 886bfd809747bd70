# The smallest RTMPose-family model here: CSPNeXt at 1/8 width (8 channels
# in its stem; ./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py
# otherwise) on the first 800 training figures for 5 epochs of batch 16 (250
# iterations; the stage-2 pipeline in the last one), as the heatmap student
# td-hm_res18-c16_1xb16-5e_synthetic-figures-800-64x48.py is. The RTMPose end
# to end test (tests/test_models/test_distillers/test_rtmpose_end_to_end.py)
# distils it. It learns too slowly for the method benchmark on this CPU: AP
# 0.02 after its 250 iterations and 1.9 after 600 (seed 0, 500 validation
# figures); the RTMPose peers benchmark distils the 1/4-width student
# (./rtmpose-x0.25_1xb32-10e_synthetic-figures-800-64x48.py) instead.
_base_ = ['./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py']
max_epochs = 5
stage2_num_epochs = 1
model = dict(backbone=dict(widen_factor=0.125),
             head=dict(in_channels=64))  # 512 * widen_factor
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0e-5, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', eta_min=_base_.base_lr * 0.05, begin=0,
         end=max_epochs, T_max=max_epochs, by_epoch=True,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=16)
train_dataloader = dict(
    batch_size=16,
    dataset=dict(ann_file='annotations/synthetic_figures_train-800.json'))
default_hooks = dict(checkpoint=dict(interval=5))
custom_hooks = [
    dict(type='mmdet.PipelineSwitchHook',
         switch_epoch=max_epochs - stage2_num_epochs,
         switch_pipeline=_base_.train_pipeline_stage2)
]
