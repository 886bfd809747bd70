from .diagnostics_recorder import DiagnosticsRecorder
from .rng_state_hook import RngStateHook
from .snapshot_exporter import SnapshotExporter, snapshot_path
from .student_checkpoint_hook import (StudentCheckpointHook,
                                      student_checkpoint)

__all__ = [
    'DiagnosticsRecorder', 'RngStateHook', 'SnapshotExporter',
    'StudentCheckpointHook', 'snapshot_path', 'student_checkpoint'
]
