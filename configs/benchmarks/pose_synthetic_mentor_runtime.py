# The frozen-mentor runtime's effect on accuracy, on the synthetic pose
# spec's classroom (configs/benchmarks/pose_synthetic_methods.py): ClassroomKD
# with the five mentors of the main table run eagerly in float32, against the
# same with mentors folded, channels-last and in bfloat16 with their weights
# cast (`mentor_runtime`; bf16 changes the mentors' heatmaps and so KF's
# decisions), and that with mentor skipping at margin 0 on top (the fastest
# setting). 3 seeds.
# The same on an inference engine (ONNX export, `mentor_runtime.engine`):
# fp32 on ONNX Runtime, bf16 on OpenVINO, and ONNX Runtime + skipping at
# margin 0; and a control, fp32 mentors with BatchNorm folded (rounding only).
# bf16 needs a GPU or a CPU with bf16 kernels (AVX-512 or AMX): elsewhere the
# distiller refuses it, naming the fix.
#   python tools/benchmark_methods.py configs/benchmarks/pose_synthetic_mentor_runtime.py
# Results and paired differences: docs/benchmarks.md (mentor runtime).
_base_ = ['./pose_synthetic_skipping.py']   # its sample_idx for skipping
_classroom5 = _base_._classroom5
_kf = _base_._kf
_mentoring = _base_._mentoring
_bf16 = dict(fold_bn=True, channels_last=True, precision='bf16',
             cast_weights=True)
_ort = dict(engine='onnxruntime')                     # fp32 ONNX export
_ov_bf16 = dict(engine='openvino', precision='bf16')
_skip_m0 = dict(margin=0.0, reprobe_fraction=0.1)
name = 'pose_synthetic_mentor_runtime'
work_dir = 'work_dirs/benchmarks/pose_synthetic_mentor_runtime'
seeds = [0, 1, 2]
methods = dict(
    _delete_=True,
    classroomkd=dict(mentors=_classroom5, policy=_kf, mentoring=_mentoring),
    classroomkd_bf16=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_bf16)),
    classroomkd_bf16_skip_m0=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(
            mentor_runtime=_bf16,
            mentor_skipping=_skip_m0)),
    classroomkd_ort=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ort)),
    classroomkd_ov_bf16=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ov_bf16)),
    # control: fp32 mentors with BatchNorm folded (exact up to float
    # rounding, as the fp32 engine is): how far rounding alone moves a run
    classroomkd_fold_fp32=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=dict(fold_bn=True))),
    classroomkd_ort_skip_m0=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ort,
                               mentor_skipping=_skip_m0)),
)
