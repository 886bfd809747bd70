# Method benchmark on REAL COCO people, held out, CPU-sized:
#   OMP_NUM_THREADS=1 .venv-latest/bin/python tools/benchmark_methods.py \
#       configs/benchmarks/coco_mini_methods.py --workers 1
# (the latest stack for mmpose's DWPoseDistiller; without it, leave dwpose
# out: --methods nokd kd aver camkd ebkd dgkd classroomkd).
#
# Data: COCO-MINI (../shared/data/coco_mini: 86 people of COCO train2017 to
# train on, 68 people of the disjoint val2017 images to score on), read
# where it is by mmpose's CocoDataset (configs/_base_/datasets/coco_mini.py);
# val2017 with the ground-truth boxes (bbox_file=None). Scored by mmpose's
# PCKAccuracy at 0.2 of the box on val2017; mmpose's CocoMetric (OKS AP) is
# computed for every run too and kept in results.json, but it is 0.0 for
# every model at this size (from scratch on 86 people no person reaches
# OKS 0.5), so it cannot rank them. No pretrained weights: all from scratch.
# Another copy of the data: coco_mini_options(root) in
# tools/dataset_converters/coco_mini.py gives the options to change.
# Student: ResNet-18/16 with mmpose's SimCCHead (configs/pose/coco_mini/
# simcc_res18-c16_*: the recipe's flip, half-body and box augmentation),
# 64x48 input, 30 epochs of batch 16 (180 iterations).
# Classroom: two families, two strengths. A SimCC ResNet-18/32 and a
# heatmap ResNet-18/32, each trained once for its config's 120 epochs
# (seed 0), and their snapshots at epoch 30 (about the student's length).
# DWPose runs from mmpose's code (mmpose.models.distillers.DWPoseDistiller),
# whose losses read SimCC logits (KDLoss) and the backbone's last feature
# map (FeaLoss): its teacher is the strongest SimCC mentor (same bins, same
# 4x3 feature map; a 1x1 conv from the student's 64 to the teacher's 128
# channels), with mmpose's first-stage settings (configs/wholebody_2d_
# keypoint/dwpose/ubody/s1_dis/dwpose_l_dis_t_coco-ubody-256x192.py: FeaLoss
# alpha 7e-5, KDLoss weight 0.1, both decayed by 1 - epoch/max_epochs, grad
# clipping at norm 1). KD takes the best mentor by the metric, the
# multi-mentor baselines and ClassroomKD all four.
# docs/benchmarks.md has the results and the cost (29 min of wall time on
# one worker on 2 shared cores: the two mentor trainings 6 min, 40 student
# runs of 21 to 35 CPU s each).
name = 'coco_mini'
work_dir = 'work_dirs/benchmarks/coco_mini'
_root = '../shared/data/coco_mini'
prepare_data = dict(
    func='tools.dataset_converters.coco_mini:check_coco_mini',
    kwargs=dict(root=_root))
_configs = 'configs/pose/coco_mini'
student = f'{_configs}/simcc_res18-c16_1xb16-120e_coco-mini-64x48.py'
metric = 'PCK'
score_scale = 100   # PCKAccuracy's PCK is in [0, 1]; report percent
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
_student_epochs = 30
student_options = {
    **_quiet,
    'train_cfg.max_epochs': _student_epochs,
    'param_scheduler.1.T_max': _student_epochs,
    'param_scheduler.1.end': _student_epochs,
}
trainings = dict(
    simcc_r18c32=dict(
        config=f'{_configs}/simcc_res18-c32_1xb16-120e_coco-mini-64x48.py',
        seed=0, options=_quiet),
    hm_r18c32=dict(
        config=f'{_configs}/td-hm_res18-c32_1xb16-120e_coco-mini-64x48.py',
        seed=0, options=_quiet),
)
mentors = dict(
    simcc_r18c32=dict(training='simcc_r18c32', epoch=120),
    hm_r18c32=dict(training='hm_r18c32', epoch=120),
    simcc_r18c32_e30=dict(training='simcc_r18c32', epoch=30),
    hm_r18c32_e30=dict(training='hm_r18c32', epoch=30),
)
_classroom = ['simcc_r18c32', 'hm_r18c32', 'simcc_r18c32_e30',
              'hm_r18c32_e30']
# SimCC logits: the adapter's SimCC KL (beta of the head's KLDiscretLoss);
# T = 1 for the baselines, T = 1 + 12 * gap for ClassroomKD, weight 1, as in
# ./pose_synthetic_rtmpose_peers.py.
_fixed_t = dict(base_temperature=1.0, loss_weight=1.0)


_dwpose_losses = [
    dict(methods=[dict(type='FeaLoss', name='loss_fea', use_this=True,
                       student_channels=64, teacher_channels=128,
                       alpha_fea=0.00007)]),
    dict(methods=[dict(type='KDLoss', name='loss_logit', use_this=True,
                       weight=0.1)]),
]
# NoKD, KD, AVER, CA-MKD, EBKD, DGKD and ClassroomKD (the main group of
# benchmarks/methods/standard_methods.py: KF at sample granularity, active
# weight normalisation), and mmpose's DWPose beside them.
standard_methods = dict(
    classroom=_classroom, baseline_mentoring=_fixed_t,
    classroomkd_mentoring=dict(tau=12.0, base_temperature=1.0,
                               loss_weight=1.0),
    groups=['main'])
methods = dict(
    dwpose=dict(
        mentors=['simcc_r18c32'],
        distiller=dict(type='DWPoseDistiller', distill_cfg=_dwpose_losses),
        options={'optim_wrapper.clip_grad': dict(max_norm=1.,
                                                 norm_type=2)}),
)
