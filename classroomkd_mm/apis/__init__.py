from .runner_config import is_distiller_config, prepare_runner_config
from .train_and_test import train_and_test

__all__ = ['is_distiller_config', 'prepare_runner_config', 'train_and_test']
