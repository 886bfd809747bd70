from .runner_config import is_distiller_config, prepare_runner_config

__all__ = ['is_distiller_config', 'prepare_runner_config']
