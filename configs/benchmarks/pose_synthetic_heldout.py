# The SYNTHETIC pose benchmark on held-out figures: the same spec as
# ./pose_synthetic_investigation.py (student, classroom recipe, methods,
# settings) on figures rendered from another seed (seed 1: other poses,
# sizes, clutter and occluders in every split), with its own classroom
# trained on them. It checks the main table and the leads found on the
# seed-0 figures (classroomkd_tau4, classroomkd_peak) on data that played no
# part in finding them (docs/benchmarks.md has the results):
#   python tools/benchmark_methods.py \
#       configs/benchmarks/pose_synthetic_heldout.py --workers 2 \
#       --seeds 0 1 2 3 4 --methods nokd kd aver camkd ebkd dgkd \
#       classroomkd classroomkd_tau4 classroomkd_peak
_base_ = ['./pose_synthetic_investigation.py']
name = 'pose_synthetic_heldout'
work_dir = 'work_dirs/benchmarks/pose_synthetic_heldout'
_data_root = 'data/generated/synthetic_figures_seed1/'
prepare_data = dict(kwargs=dict(root=_data_root, seed=1))
_data = {
    'train_dataloader.dataset.data_root': _data_root,
    'val_dataloader.dataset.data_root': _data_root,
    'test_dataloader.dataset.data_root': _data_root,
    'val_evaluator.ann_file':
    _data_root + 'annotations/synthetic_figures_val.json',
    'test_evaluator.ann_file':
    _data_root + 'annotations/synthetic_figures_val.json',
}
student_options = _data
trainings = dict(
    r18c32=dict(options=_data),
    r18c16=dict(options=_data),
)
