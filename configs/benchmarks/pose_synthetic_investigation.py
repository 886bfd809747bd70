# The investigation of the SYNTHETIC pose benchmark: variants of ClassroomKD
# run after the tables of ./pose_synthetic_methods.py (same work dir, so the
# classroom and the main runs are shared):
#   python tools/benchmark_methods.py \
#       configs/benchmarks/pose_synthetic_investigation.py --workers 2
_base_ = ['./pose_synthetic_methods.py']
_classroom5 = _base_._classroom5
_few = _base_._few
_fixed_t = _base_._fixed_t
_classroom = _base_._classroom
_kf = _base_._kf
# Investigation (run after the tables above, on the ablation seeds; they
# use the same validation figures, so they are diagnostics, not tuned
# defaults): the digits benchmark found that the task-loss confidence weight
# p_s and the gap temperatures cost ClassroomKD accuracy on short schedules.
# The same three variants here, one switch at a time:
methods = dict(
    classroomkd_tau4=dict(
        group='investigation', mentors=_classroom5, policy=_kf,
        mentoring=dict(_classroom, tau=4.0), seeds=_few),
    classroomkd_nocw=dict(
        group='investigation', mentors=_classroom5,
        policy=dict(_kf, confidence_weighting=False), mentoring=_classroom,
        seeds=_few),
    kf_only_nocw=dict(
        group='investigation', mentors=_classroom5,
        policy=dict(type='KFOnly', confidence_weighting=False),
        mentoring=_fixed_t, seeds=_few),
    # Added after the investigation above found that heatmap MSE ranks the
    # very weak mentors' flat heatmaps as competitive (they stay active on a
    # quarter of the samples at the end): rank by the distance of the
    # decoded peaks instead (HeatmapAdapter(error='peak')), 5 seeds.
    classroomkd_peak=dict(
        group='investigation', mentors=_classroom5, policy=_kf,
        mentoring=_classroom, adapter=dict(type='HeatmapAdapter',
                                           error='peak')),
)
