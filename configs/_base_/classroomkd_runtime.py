# What ClassroomKD adds to a host's training run, whatever entry runs it
# (this project's tools/train.py, MMPose's or MMPretrain's own
# tools/train.py, `mim train mmpose ...`), as MMEngine default hooks:
#   work_dir_lock       one training run per work dir (WorkDirLockHook)
#   student_checkpoint  `<checkpoint>_student.pth` beside every checkpoint,
#                       the student's weights only (StudentCheckpointHook;
#                       does nothing for a model that is not a distiller)
#   rng_state           the random generators in every checkpoint, so a
#                       resumed run equals an uninterrupted one (RngStateHook)
#   mentor_checksum     each mentor's sha256 in every checkpoint; a resume
#                       whose mentors changed stops (MentorChecksumHook)
#
# MMEngine refuses a top-level key that two `_base_` files both set, and every
# host recipe sets `default_hooks`; so a config inherits this file beside its
# host recipe and adds the hooks with one line (docs/configs.md):
#
#   _base_ = ['mmpose::body_2d_keypoint/...py',
#             'classroomkd_mm::_base_/classroomkd_runtime.py']
#   custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)
#   default_hooks = dict(_base_.classroomkd_hooks)   # plus the config's own
#
# The project's tools/train.py adds the same hooks to a config that lacks
# them (classroomkd_mm.apis.prepare_runner_config reads this file), never
# twice.
classroomkd_hooks = dict(
    work_dir_lock=dict(type='classroomkd_mm.WorkDirLockHook'),
    student_checkpoint=dict(type='classroomkd_mm.StudentCheckpointHook'),
    rng_state=dict(type='classroomkd_mm.RngStateHook'),
    mentor_checksum=dict(type='classroomkd_mm.MentorChecksumHook'))
