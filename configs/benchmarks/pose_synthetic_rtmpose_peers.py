# mmpose's own DWPose distiller beside ClassroomKD, the single-teacher KD
# policy and NoKD, with an RTMPose-family student and teacher on the
# SYNTHETIC figures, CPU-sized:
#   python tools/benchmark_methods.py \
#       configs/benchmarks/pose_synthetic_rtmpose_peers.py
# Needs the latest stack (mmdet's CSPNeXt, mmpose >= 1.2's DWPoseDistiller):
#   tools/setup_env.sh latest && .venv-latest/bin/python tools/...
# docs/benchmarks.md has the results and how long the spec takes (about 43
# min on 2 shared cores: the teacher 7.4 min, 20 student runs of 1 to 3 min).
#
# Data: the pose spec's figures (configs/benchmarks/pose_synthetic_methods.py:
# 2,000 training and 500 validation figures, renderer seed 0), scored by
# mmpose's CocoMetric.
# Student: CSPNeXt x0.25 + RTMCCHead (configs/pose/synthetic/rtmpose-x0.25_
# 1xb32-10e_synthetic-figures-800-64x48.py) on the first 800 figures, 10
# epochs of batch 32 (250 iterations), the stage-2 pipeline in the last one.
# Classroom: one CSPNeXt x0.375 training (RTMPose-t's width; configs/pose/
# synthetic/rtmpose-x0.375_*, whose base config says what of mmpose's
# RTMPose recipe the CPU size changes) on all 2,000 figures for its 12
# epochs (750 iterations), and its snapshots at epochs 12, 8 and 4. KD and
# DWPose take the best of them (the same trained teacher), ClassroomKD all
# three.
# DWPose runs from mmpose's code (mmpose.models.distillers.DWPoseDistiller)
# with mmpose's first-stage settings (configs/wholebody_2d_keypoint/dwpose/
# ubody/s1_dis/dwpose_l_dis_t_coco-ubody-256x192.py): the feature stage
# (FeaLoss on the backbone's last feature map, a 1x1 conv from the student's
# 128 to the teacher's 192 channels, alpha 7e-5), the logit stage (KDLoss on
# the SimCC logits, weight 0.1), both decayed by 1 - epoch/max_epochs, and
# its gradient clipping (max norm 1).
name = 'pose_synthetic_rtmpose_peers'
work_dir = 'work_dirs/benchmarks/pose_synthetic_rtmpose_peers'
prepare_data = dict(
    func='tools.dataset_converters.synthetic_figures:write_synthetic_figures',
    kwargs=dict(root='data/generated/synthetic_figures'))
_configs = 'configs/pose/synthetic'
student = f'{_configs}/rtmpose-x0.25_1xb32-10e_synthetic-figures-800-64x48.py'
metric = 'coco/AP'
score_scale = 100
seeds = [0, 1, 2, 3, 4]
num_threads = 1
# No validation during training (the score is the test at the end), no flip
# test, one checkpoint at the end, a quiet logger.
_quiet = {
    'model.test_cfg.flip_test': False,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
student_options = dict(_quiet)
trainings = dict(
    x0375=dict(config=f'{_configs}/rtmpose-x0.375_1xb32-12e_synthetic-'
               'figures-64x48.py', seed=0, options=dict(_quiet)))
mentors = dict(
    x0375_e12=dict(training='x0375', epoch=12),
    x0375_e8=dict(training='x0375', epoch=8),
    x0375_e4=dict(training='x0375', epoch=4),
)
_dwpose_losses = [
    dict(methods=[dict(type='FeaLoss', name='loss_fea', use_this=True,
                       student_channels=128, teacher_channels=192,
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
