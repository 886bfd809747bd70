# The mentor programs' effect on accuracy, on the digits spec's classroom
# (configs/benchmarks/digits_methods.py): ClassroomKD with the five mentors
# of the main table run eagerly in float32 (`engine='eager'`), against the
# same on an inference engine (`mentor_runtime`, an ONNX export of each
# mentor): fp32 on ONNX Runtime, bf16 on OpenVINO (bf16 changes the mentors'
# outputs and so KF's decisions), and each with mentor skipping at margin 0
# on top. 3 seeds. (Until 2026-12-07 the spec also held torch bf16 with
# BatchNorm folded, channels-last and cast weights, options since removed.)
# bf16 needs a CPU with bf16 (AVX-512 BF16 or AMX): elsewhere OpenVINO is
# refused, naming the fix.
#   python tools/benchmark_methods.py configs/benchmarks/digits_mentor_runtime.py
# Results and paired differences: docs/benchmarks.md (mentor runtime).
_base_ = ['./digits_methods.py']
_classroom5 = _base_._classroom5
_kf = _base_._kf
_mentoring = _base_._classroom   # the spec's ClassroomKD: tau 4, T0 1
_eager = dict(engine='eager')                         # the reference
_ort = dict(engine='onnxruntime')                     # fp32 ONNX export
_ov_bf16 = dict(engine='openvino', precision='bf16')
_skip_m0 = dict(margin=0.0, reprobe_fraction=0.1)
name = 'digits_mentor_runtime'
work_dir = 'work_dirs/benchmarks/digits_mentor_runtime'
seeds = [0, 1, 2]
standard_methods = None
methods = dict(
    _delete_=True,
    classroomkd=dict(mentors=_classroom5, policy=_kf, mentoring=_mentoring,
                     distiller_options=dict(mentor_runtime=_eager)),
    classroomkd_ov_bf16_skip_m0=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(
            mentor_runtime=_ov_bf16,
            mentor_skipping=_skip_m0)),
    classroomkd_ort=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ort)),
    classroomkd_ov_bf16=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ov_bf16)),
    classroomkd_ort_skip_m0=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(mentor_runtime=_ort,
                               mentor_skipping=_skip_m0)),
)
