"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``."""
import copy
import functools

from mmengine.config import Config

from classroomkd_mm.utils.config_files import project_config_path

DISTILLER_TYPES = ('ClassroomDistiller', 'classroomkd_mm.ClassroomDistiller')
#: the base runtime config that carries the project's hooks (one home)
RUNTIME_CONFIG = '_base_/classroomkd_runtime.py'
LOCK_HOOK = 'classroomkd_mm.WorkDirLockHook'


def is_distiller_config(cfg: Config) -> bool:
    model = cfg.get('model') or {}
    return model.get('type') in DISTILLER_TYPES


@functools.lru_cache(maxsize=1)
def _runtime_hooks() -> dict:
    cfg = Config.fromfile(project_config_path(RUNTIME_CONFIG))
    return cfg.classroomkd_hooks.to_dict()


def runtime_hooks() -> dict:
    """``classroomkd_hooks`` of ``configs/_base_/classroomkd_runtime.py``:
    name -> hook config (the work-dir lock, the student-only checkpoint,
    the random generators' state, the mentors' sha256)."""
    return copy.deepcopy(_runtime_hooks())


def _hook_type(hook) -> str:
    kind = hook.get('type') if isinstance(hook, dict) else None
    return kind.split('.')[-1] if isinstance(kind, str) else ''


def prepare_runner_config(cfg: Config, training: bool = True) -> Config:
    """Add what a run needs to a config, as ``default_hooks`` entries named
    as in the base runtime config, unless the config has them already
    (inherited from ``classroomkd_runtime.py`` or listed in
    ``custom_hooks``: never twice). For training: the work-dir lock (any
    config) and, for a ClassroomKD config, the student-only checkpoint,
    the random generators' state and the mentors' sha256 (a resume with
    changed mentors stops). For evaluation: nothing is added, and
    the lock of a dumped training config is dropped. A distributed launch
    on a machine without CUDA gets what it needs there
    (:func:`~classroomkd_mm.utils.cpu_distributed.cpu_launch_config`)."""
    # imported here: importing the module is what patches torch.cuda
    from classroomkd_mm.utils.cpu_distributed import cpu_launch_config
    cpu_launch_config(cfg)
    default_hooks = dict(cfg.get('default_hooks', None) or {})
    custom_hooks = list(cfg.get('custom_hooks', None) or [])
    lock = LOCK_HOOK.split('.')[-1]
    if not training:
        kept = {name: hook for name, hook in default_hooks.items()
                if _hook_type(hook) != lock}
        if len(kept) != len(default_hooks):
            cfg.default_hooks = kept
        kept = [hook for hook in custom_hooks if _hook_type(hook) != lock]
        if len(kept) != len(custom_hooks):
            cfg.custom_hooks = kept
        return cfg
    present = {_hook_type(h) for h in [*default_hooks.values(),
                                       *custom_hooks]}
    added = {}
    for name, hook in runtime_hooks().items():
        if _hook_type(hook) == lock or is_distiller_config(cfg):
            if _hook_type(hook) not in present:
                added[name] = hook
    if added:
        cfg.default_hooks = {**default_hooks, **added}
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
