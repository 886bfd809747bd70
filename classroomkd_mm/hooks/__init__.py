from .student_checkpoint_hook import (StudentCheckpointHook,
                                      student_checkpoint)

__all__ = ['StudentCheckpointHook', 'student_checkpoint']
