"""ClassroomKD multi-mentor knowledge distillation for MMPose and
MMPretrain."""
from classroomkd_mm_config_scope import register as register_config_scope

from .utils.checkpoint_files import install_checkpoint_file_safety
from .utils.safe_checkpoint import register_safe_checkpoint_loaders
from .version import __version__

register_safe_checkpoint_loaders()
install_checkpoint_file_safety()
register_config_scope()  # `_base_ = 'classroomkd_mm::...'` in configs

from . import apis, hooks, models  # noqa: E402,F401
from .registry import HOOKS, MODELS, TRANSFORMS  # noqa: E402

__all__ = ['HOOKS', 'MODELS', 'TRANSFORMS', '__version__']
