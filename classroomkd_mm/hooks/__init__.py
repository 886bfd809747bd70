from .rng_state_hook import RngStateHook
from .student_checkpoint_hook import (StudentCheckpointHook,
                                      student_checkpoint)
from .work_dir_lock_hook import WorkDirLockHook, WorkDirLockedError

__all__ = ['RngStateHook', 'StudentCheckpointHook', 'WorkDirLockHook',
           'WorkDirLockedError', 'student_checkpoint']
