"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``."""
from mmengine.config import Config

DISTILLER_TYPES = ('ClassroomDistiller', 'classroomkd_mm.ClassroomDistiller')
STUDENT_HOOK = 'classroomkd_mm.StudentCheckpointHook'


def is_distiller_config(cfg: Config) -> bool:
    model = cfg.get('model') or {}
    return model.get('type') in DISTILLER_TYPES


def prepare_runner_config(cfg: Config) -> Config:
    """Add what a ClassroomKD run needs to a config and leave any other
    config untouched: the student-only checkpoint hook."""
    if not is_distiller_config(cfg):
        return cfg
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') in (STUDENT_HOOK, 'StudentCheckpointHook')
               for h in hooks):
        hooks.append(dict(type=STUDENT_HOOK))
    cfg.custom_hooks = hooks
    return cfg
