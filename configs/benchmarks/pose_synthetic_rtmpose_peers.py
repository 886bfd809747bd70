# mmpose's own DWPose distiller beside ClassroomKD, the single-teacher KD
# policy and NoKD, with an RTMPose-family student on the SYNTHETIC figures,
# CPU-sized: a check of the machinery, not a benchmark. At this size the
# teacher does not learn (AP 0.01 after its 152 iterations), so every student
# scores about 0 (docs/benchmarks.md); comparing the methods needs a much
# longer teacher schedule or pretrained RTMPose teachers.
#   python tools/benchmark_methods.py \
#       configs/benchmarks/pose_synthetic_rtmpose_peers.py
# Needs the latest stack (mmdet's CSPNeXt, mmpose >= 1.2's DWPoseDistiller):
#   tools/setup_env.sh latest && .venv-latest/bin/python tools/...
#
# Data: 600 training and 200 validation figures (renderer seed 0), scored
# by mmpose's CocoMetric.
# Student: CSPNeXt x0.125 + RTMCCHead (configs/pose/synthetic/rtmpose-x0.125_
# 1xb16-5e_synthetic-figures-800-64x48.py) on the first 300 figures, 5
# epochs of batch 16 (95 iterations), the recipe's stage-2 pipeline in the
# last one.
# Classroom: one CSPNeXt x0.375 training (RTMPose-t's width) on all 600
# figures for 8 epochs, and its snapshots at epochs 8, 4 and 2. KD and DWPose
# take the best of them (the same trained teacher), ClassroomKD all three.
# DWPose runs from mmpose's code (mmpose.models.distillers.DWPoseDistiller)
# with mmpose's first-stage settings (configs/wholebody_2d_keypoint/dwpose/
# ubody/s1_dis/dwpose_l_dis_t_coco-ubody-256x192.py): the feature stage
# (FeaLoss on the backbone's last feature map, a 1x1 conv from the student's
# 64 to the teacher's 192 channels, alpha 7e-5), the logit stage (KDLoss on
# the SimCC logits, weight 0.1), both decayed by 1 - epoch/max_epochs, and
# its gradient clipping (max norm 1).
name = 'pose_synthetic_rtmpose_peers'
work_dir = 'work_dirs/benchmarks/pose_synthetic_rtmpose_peers'
_root = 'data/generated/synthetic_figures_rtmpose/'
prepare_data = dict(
    func='tools.dataset_converters.synthetic_figures:write_synthetic_figures',
    kwargs=dict(root=_root, splits={'train': 600, 'train-300': 300,
                                    'val': 200}))
_configs = 'configs/pose/synthetic'
student = f'{_configs}/rtmpose-x0.125_1xb16-5e_synthetic-figures-800-64x48.py'
metric = 'coco/AP'
score_scale = 100
seeds = [0, 1]
num_threads = 1
_data = {
    'train_dataloader.dataset.data_root': _root,
    'val_dataloader.dataset.data_root': _root,
    'test_dataloader.dataset.data_root': _root,
    'val_evaluator.ann_file': _root + 'annotations/synthetic_figures_val.json',
    'test_evaluator.ann_file': _root +
    'annotations/synthetic_figures_val.json',
}
_quiet = {
    'model.test_cfg.flip_test': False,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
student_options = dict(
    _data, **_quiet,
    **{'train_dataloader.dataset.ann_file':
       'annotations/synthetic_figures_train-300.json'})
trainings = dict(
    x0375=dict(config=f'{_configs}/rtmpose-x0.375_1xb32-12e_synthetic-'
               'figures-64x48.py', seed=0,
               options=dict(_data, **_quiet, **{
                   'train_cfg.max_epochs': 8,
                   'param_scheduler.1.T_max': 8,
                   'param_scheduler.1.end': 8,
                   'custom_hooks.0.switch_epoch': 7})))
mentors = dict(
    x0375_e8=dict(training='x0375', epoch=8),
    x0375_e4=dict(training='x0375', epoch=4),
    x0375_e2=dict(training='x0375', epoch=2),
)
_dwpose_losses = [
    dict(methods=[dict(type='FeaLoss', name='loss_fea', use_this=True,
                       student_channels=64, teacher_channels=192,
                       alpha_fea=0.00007)]),
    dict(methods=[dict(type='KDLoss', name='loss_logit', use_this=True,
                       weight=0.1)]),
]
methods = dict(
    nokd=dict(mentors=[]),
    kd=dict(mentors='best', policy=dict(type='SingleMentorKD'),
            mentoring=dict(base_temperature=1.0, loss_weight=1.0)),
    classroomkd=dict(mentors='all',
                     policy=dict(type='KnowledgeFilter', granularity='sample',
                                 weight_norm='active'),
                     mentoring=dict(tau=12.0, loss_weight=1.0)),
    dwpose=dict(
        mentors='best',
        distiller=dict(type='DWPoseDistiller', distill_cfg=_dwpose_losses),
        options={'optim_wrapper.clip_grad': dict(max_norm=1.,
                                                 norm_type=2)}),
)
