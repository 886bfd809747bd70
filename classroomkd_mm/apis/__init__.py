from .runner_config import (is_distiller_config, prepare_runner_config,
                            student_only_config)

__all__ = ['is_distiller_config', 'prepare_runner_config',
           'student_only_config']
