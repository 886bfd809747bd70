# Mentor skipping against the unskipped method, on the synthetic pose spec's
# classroom (configs/benchmarks/pose_synthetic_methods.py): ClassroomKD with
# the five mentors of the main table, with and without `mentor_skipping`,
# 5 seeds.
#   python tools/benchmark_methods.py configs/benchmarks/pose_synthetic_skipping.py
# Results and paired differences: docs/benchmarks.md (mentor skipping on the
# pose spec).
_base_ = ['./pose_synthetic_methods.py']
_classroom5 = _base_._classroom5
_kf = _base_._kf
_mentoring = _base_._classroom   # the spec's ClassroomKD: tau 12, T0 1
name = 'pose_synthetic_skipping'
work_dir = 'work_dirs/benchmarks/pose_synthetic_skipping'
seeds = [0, 1, 2, 3, 4]
# Skipping keys its cache by the data sample's `sample_idx`, which mmpose's
# PackPoseInputs (the last transform of the student's training pipeline)
# keeps only when its meta_keys name it: its default keys (mmpose 1.1.0's,
# and 1.3's 'dataset_name'; absent keys are not packed) plus 'sample_idx',
# for every method of this spec (a meta key does not change training).
student_options = {
    'train_dataloader.dataset.pipeline.6.meta_keys': (
        'id', 'img_id', 'img_path', 'category_id', 'crowd_index',
        'ori_shape', 'img_shape', 'input_size', 'input_center', 'input_scale',
        'flip', 'flip_direction', 'flip_indices', 'raw_ann_info',
        'dataset_name', 'sample_idx'),
}
standard_methods = None
methods = dict(
    classroomkd=dict(mentors=_classroom5, policy=_kf, mentoring=_mentoring),
    classroomkd_skip_m0=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(
            mentor_skipping=dict(margin=0.0, reprobe_fraction=0.1))),
    classroomkd_skip=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(
            mentor_skipping=dict(margin=1.0, reprobe_fraction=0.1))),
)
