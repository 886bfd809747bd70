# Mentor skipping against the unskipped method, on the digits spec's
# classroom (configs/benchmarks/digits_methods.py): ClassroomKD with the five
# mentors of the main table, with and without `mentor_skipping`, 3 seeds.
#   python tools/benchmark_methods.py configs/benchmarks/digits_skipping.py
# Results and paired differences: docs/benchmarks.md (mentor skipping).
_base_ = ['./digits_methods.py']
_classroom5 = _base_._classroom5
_kf = _base_._kf
_mentoring = _base_._classroom   # the spec's ClassroomKD: tau 4, T0 1
name = 'digits_skipping'
work_dir = 'work_dirs/benchmarks/digits_skipping'
seeds = [0, 1, 2]
standard_methods = None
# method name: mentor_skipping's (margin, reprobe_fraction)
_skipping = dict(
    classroomkd_skip=(1.0, 0.1),
    classroomkd_skip_m025=(0.25, 0.1),
    classroomkd_skip_m0=(0.0, 0.1),
    classroomkd_skip_m0_r02=(0.0, 0.2),
)
methods = dict(
    _delete_=True,
    classroomkd=dict(mentors=_classroom5, policy=_kf, mentoring=_mentoring),
    **{method: dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_skipping=dict(
            margin=margin, reprobe_fraction=reprobe_fraction)))
       for method, (margin, reprobe_fraction) in _skipping.items()},
)
