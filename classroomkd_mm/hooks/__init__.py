from .diagnostics_recorder import DiagnosticsRecorder
from .mentor_checksum_hook import MentorChecksumHook
from .rng_state_hook import RngStateHook
from .snapshot_exporter import SnapshotExporter, snapshot_path
from .student_checkpoint_hook import (StudentCheckpointHook,
                                      student_checkpoint)
from .work_dir_lock_hook import WorkDirLockedError, WorkDirLockHook

__all__ = [
    'DiagnosticsRecorder', 'MentorChecksumHook', 'RngStateHook', 'SnapshotExporter',
    'StudentCheckpointHook', 'WorkDirLockHook', 'WorkDirLockedError',
    'snapshot_path', 'student_checkpoint'
]
