from .rng_state_hook import RngStateHook
from .student_checkpoint_hook import (StudentCheckpointHook,
                                      student_checkpoint)

__all__ = ['RngStateHook', 'StudentCheckpointHook', 'student_checkpoint']
