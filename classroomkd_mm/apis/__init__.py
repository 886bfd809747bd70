from .mentor_evaluation import BridgedMentor, bridged_mentor, evaluate_mentor
from .runner_config import (is_distiller_config, prepare_runner_config,
                            student_only_config)
from .train_and_test import train_and_test

__all__ = ['BridgedMentor', 'bridged_mentor', 'evaluate_mentor',
           'is_distiller_config', 'prepare_runner_config',
           'student_only_config', 'train_and_test']
