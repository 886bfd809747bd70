"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``."""
import copy

from mmengine.config import Config

DISTILLER_TYPES = ('ClassroomDistiller', 'classroomkd_mm.ClassroomDistiller')
STUDENT_HOOK = 'classroomkd_mm.StudentCheckpointHook'
RNG_HOOK = 'classroomkd_mm.RngStateHook'
LOCK_HOOK = 'classroomkd_mm.WorkDirLockHook'
CHECKSUM_HOOK = 'classroomkd_mm.MentorChecksumHook'


def is_distiller_config(cfg: Config) -> bool:
    model = cfg.get('model') or {}
    return model.get('type') in DISTILLER_TYPES


def prepare_runner_config(cfg: Config, training: bool = True) -> Config:
    """Add what a run needs to a config: for training, the work-dir lock
    (one training run per work dir; any config); for a ClassroomKD config,
    the student-only checkpoint hook, the hook that checkpoints the
    random generators (exact resume) and the one that records the mentors'
    sha256 (a resume with changed mentors stops)."""
    wanted = [LOCK_HOOK] if training else []
    if is_distiller_config(cfg):
        wanted += [STUDENT_HOOK, RNG_HOOK, CHECKSUM_HOOK]
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not training:
        # A config dumped by a training run carries its lock hook; an
        # evaluation never takes the training lock.
        hooks = [h for h in hooks
                 if h.get('type') not in (LOCK_HOOK, LOCK_HOOK.split('.')[-1])]
        if hooks != list(cfg.get('custom_hooks', None) or []):
            cfg.custom_hooks = hooks
    if not wanted:
        return cfg
    for hook in wanted:
        short = hook.split('.')[-1]
        if not any(h.get('type') in (hook, short) for h in hooks):
            hooks.append(dict(type=hook))
    cfg.custom_hooks = hooks
    return cfg


def student_only_config(cfg: Config) -> Config:
    """For evaluation: a ClassroomKD config with its model replaced by the
    student's (the distiller's ``data_preprocessor`` given to the student if
    it names none), so no mentor is built and no mentor checkpoint is read;
    any other config as it is."""
    if not is_distiller_config(cfg):
        return cfg
    student = copy.deepcopy(cfg.model.student)
    if student.get('data_preprocessor') is None and \
            cfg.model.get('data_preprocessor') is not None:
        student['data_preprocessor'] = copy.deepcopy(
            cfg.model.data_preprocessor)
    cfg.model = student
    return cfg
