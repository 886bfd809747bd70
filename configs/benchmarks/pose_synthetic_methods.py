# Method benchmark on SYNTHETIC pose data, CPU-sized:
#   python tools/benchmark_methods.py \
#       configs/benchmarks/pose_synthetic_methods.py --workers 2
#
# Data: procedurally rendered articulated figures with the 17 COCO keypoints
# (tools/dataset_converters/synthetic_figures.py; synthetic, not COCO), read by
# mmpose's CocoDataset and scored by mmpose's CocoMetric (OKS AP) on 500
# validation figures.
# Student: the ResNet-18/16 SimpleBaseline (64x48 input, 16x12 heatmaps)
# on the first 800 training figures for 5 epochs of batch 16 (250 iterations).
# Classroom: ResNet-18 at widths 32 and 16 trained on all 2,000 training
# figures for 10 epochs (seed 0), and snapshots of them at earlier epochs,
# so mentor strength comes from capacity and from training time.
# docs/benchmarks.md has the results and how long the spec takes.
name = 'pose_synthetic'
work_dir = 'work_dirs/benchmarks/pose_synthetic'
prepare_data = dict(
    func='tools.dataset_converters.synthetic_figures:write_synthetic_figures',
    kwargs=dict(root='data/generated/synthetic_figures'))

_configs = 'configs/pose/synthetic'
student = f'{_configs}/td-hm_res18-c16_1xb16-5e_synthetic-figures-800-64x48.py'
metric = 'coco/AP'
score_scale = 100   # CocoMetric's AP is in [0, 1]; report percent
seeds = [0, 1, 2, 3, 4]   # main table; ablations run 3 of them
num_threads = 1
# No validation during training (the score is the test at the end; val_begin
# past the last epoch also skips the validation MMEngine runs after it), no
# flip test, one checkpoint at the end, a quiet logger.
student_options = {
    'model.test_cfg.flip_test': False,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
# Mentors: 10 of the recipe's 12 epochs (cosine over 10), same quiet
# settings.
_mentor_options = {
    'train_cfg.max_epochs': 10,
    'param_scheduler.1.T_max': 10,
    'param_scheduler.1.end': 10,
    'model.test_cfg.flip_test': False,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
trainings = dict(
    r18c32=dict(config=f'{_configs}/td-hm_res18-c32_1xb32-12e_synthetic-'
                'figures-64x48.py', seed=0, options=_mentor_options),
    r18c16=dict(config=f'{_configs}/td-hm_res18-c16_1xb32-12e_synthetic-'
                'figures-64x48.py', seed=0, options=_mentor_options),
)
mentors = dict(
    r18c32=dict(training='r18c32', epoch=10),      # strong teacher
    r18c16=dict(training='r18c16', epoch=10),      # strong peer
    r18c16_e4=dict(training='r18c16', epoch=4),    # about the student
    r18c32_e2=dict(training='r18c32', epoch=2),    # weak
    r18c16_e2=dict(training='r18c16', epoch=2),    # very weak
    r18c32_e7=dict(training='r18c32', epoch=7),    # strong (quality abl.)
)
# The classroom of the main table, in the order the size ablation adds them.
_classroom5 = ['r18c32', 'r18c16', 'r18c16_e4', 'r18c32_e2', 'r18c16_e2']
_few = [0, 1, 2]   # seeds of the ablations
_weak3 = ['r18c16_e4', 'r18c32_e2', 'r18c16_e2']

# Every method distils heatmaps with the same divergence and weight: the
# spatial-softmax KL of the zoo pose configs (logit scale 10, lambda 0.01).
_divergence = dict(type='HeatmapKLDivergence', logit_scale=10.0)
_fixed_t = dict(base_temperature=1.0, loss_weight=0.01,
                divergence=_divergence)
# ClassroomKD: T = 1 + 12 * gap, the zoo pose configs' tau
_classroom = dict(tau=12.0, base_temperature=1.0, loss_weight=0.01,
                  divergence=_divergence)
_kf = dict(type='KnowledgeFilter', granularity='sample', weight_norm='active')
# NoKD, KD, AVER, CA-MKD, EBKD, DGKD, ClassroomKD (5 seeds); the ablations,
# classroom size (the first k mentors of _classroom5) and mentor quality
# (diverse = classroomkd_m3), 3 seeds: benchmarks/methods/
# standard_methods.py
standard_methods = dict(
    classroom=_classroom5, baseline_mentoring=_fixed_t,
    classroomkd_mentoring=_classroom, ablation_seeds=_few,
    strong=['r18c32', 'r18c32_e7', 'r18c16'], weak=_weak3)
# The investigation that followed these tables: pose_synthetic_investigation.py
