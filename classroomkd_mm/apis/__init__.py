from .cli_args import add_shared_args, apply_shared_args
from .runner_config import (is_distiller_config, prepare_runner_config,
                            student_only_config)

__all__ = [
    'add_shared_args', 'apply_shared_args', 'is_distiller_config',
    'prepare_runner_config', 'student_only_config'
]
