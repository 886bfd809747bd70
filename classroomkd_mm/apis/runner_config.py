"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``."""
from mmengine.config import Config

DISTILLER_TYPES = ('ClassroomDistiller', 'classroomkd_mm.ClassroomDistiller')
STUDENT_HOOK = 'classroomkd_mm.StudentCheckpointHook'
RNG_HOOK = 'classroomkd_mm.RngStateHook'


def is_distiller_config(cfg: Config) -> bool:
    model = cfg.get('model') or {}
    return model.get('type') in DISTILLER_TYPES


def prepare_runner_config(cfg: Config) -> Config:
    """Add what a ClassroomKD run needs to a config and leave any other
    config untouched: the student-only checkpoint hook, and the hook that
    checkpoints the random generators (exact resume)."""
    if not is_distiller_config(cfg):
        return cfg
    hooks = list(cfg.get('custom_hooks', None) or [])
    for hook in (STUDENT_HOOK, RNG_HOOK):
        short = hook.split('.')[-1]
        if not any(h.get('type') in (hook, short) for h in hooks):
            hooks.append(dict(type=hook))
    cfg.custom_hooks = hooks
    return cfg
