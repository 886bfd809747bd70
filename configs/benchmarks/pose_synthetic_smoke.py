# A quick check of the pose benchmark machinery (not a benchmark): the
# SYNTHETIC pose spec on 48 training and 16 validation figures, mentors
# trained for 2 epochs, 1-epoch students, 1 seed. The tests run it.
#   python tools/benchmark_methods.py configs/benchmarks/pose_synthetic_smoke.py \
#       --methods nokd kd classroomkd
_base_ = ['./pose_synthetic_methods.py']
name = 'pose_synthetic_smoke'
work_dir = 'work_dirs/benchmarks/pose_synthetic_smoke'
_root = 'data/generated/synthetic_figures_smoke/'
prepare_data = dict(kwargs=dict(
    root=_root, splits={'train': 48, 'train-800': 24, 'val': 16}))
seeds = [0]
_data = {
    'train_dataloader.dataset.data_root': _root,
    'val_dataloader.dataset.data_root': _root,
    'test_dataloader.dataset.data_root': _root,
    'val_evaluator.ann_file': _root + 'annotations/synthetic_figures_val.json',
    'test_evaluator.ann_file': _root +
    'annotations/synthetic_figures_val.json',
}
student_options = dict(_data, **{'train_cfg.max_epochs': 1,
                                 'param_scheduler.1.T_max': 1,
                                 'param_scheduler.1.end': 1})
_mentor = dict(_data, **{'train_cfg.max_epochs': 2,
                         'param_scheduler.1.T_max': 2,
                         'param_scheduler.1.end': 2})
trainings = dict(r18c32=dict(options=_mentor), r18c16=dict(options=_mentor))
mentors = dict(r18c32=dict(epoch=2), r18c16=dict(epoch=2),
               r18c16_e4=dict(epoch=1), r18c32_e2=dict(epoch=1),
               r18c16_e2=dict(epoch=1), r18c32_e7=dict(epoch=2))
standard_methods = dict(ablation_seeds=[0])
