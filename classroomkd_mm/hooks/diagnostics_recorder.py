"""A hook that keeps per-epoch means of the distiller's logged values."""
from collections import defaultdict
from typing import Dict, List

from mmengine.hooks import Hook

from classroomkd_mm.registry import HOOKS

#: logged keys kept: the distiller's diagnostics and losses.
PREFIXES = ('classroom.', 'distill.', 'student.loss', 'loss')


@HOOKS.register_module()
class DiagnosticsRecorder(Hook):
    """Record, for every training epoch, the mean of each logged value whose
    name starts with one of ``PREFIXES`` (activation rate and temperature
    per mentor, the student's confidence, the losses).

    ``history[key]`` is a list with one entry per epoch (``None`` for an
    epoch where the key was never logged, e.g. a mentor's temperature while
    it was active on no sample); ``first_epoch`` is the epoch the records
    start at (not 0 when a run resumed from a checkpoint).
    """

    priority = 'LOW'

    def __init__(self):
        self.history: Dict[str, List] = defaultdict(list)
        self._sums: Dict[str, float] = {}
        self._counts: Dict[str, int] = {}
        self._epochs = 0
        self.first_epoch = 0

    def before_train(self, runner) -> None:
        self.first_epoch = runner.epoch

    def before_train_epoch(self, runner) -> None:
        self._sums, self._counts = {}, {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        for key, value in (outputs or {}).items():
            if key.startswith(PREFIXES):
                self._sums[key] = self._sums.get(key, 0.0) + float(value)
                self._counts[key] = self._counts.get(key, 0) + 1

    def after_train_epoch(self, runner) -> None:
        for key in set(self.history) | set(self._sums):
            values = self.history[key]
            values.extend([None] * (self._epochs - len(values)))
            values.append(self._sums[key] / self._counts[key]
                          if key in self._sums else None)
        self._epochs += 1

    def as_dict(self) -> dict:
        return dict(first_epoch=self.first_epoch, history=dict(self.history))
