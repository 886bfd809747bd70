"""A hook that kills its own training process with SIGKILL, for the resume
test (imported by the test config's ``custom_imports``)."""
import os
import signal

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SigkillAfterIter(Hook):
    """SIGKILL this process right after training iteration ``at_iter``
    (1-based): no hook, no ``finally`` and no checkpoint code runs after
    it, as when a node dies or the OOM killer strikes."""

    priority = 'LOWEST'  # after the LoggerHook has logged the iteration

    def __init__(self, at_iter: int):
        self.at_iter = at_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.at_iter:
            os.kill(os.getpid(), signal.SIGKILL)
