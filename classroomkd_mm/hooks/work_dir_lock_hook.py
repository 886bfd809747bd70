"""One training run per work directory."""
import os
import os.path as osp
import socket
import time

from mmengine.hooks import Hook

from classroomkd_mm.registry import HOOKS

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None

LOCK_NAME = '.train.lock'


class WorkDirLockedError(RuntimeError):
    """Another live run holds the work directory."""


def lock_work_dir(work_dir: str):
    """Take ``<work_dir>/.train.lock`` with ``fcntl.flock`` (exclusive,
    non-blocking) and write this process's PID, host and start time into
    it; returns the open file, which holds the lock until it is closed or
    the process ends (a crashed or killed run never leaves it stuck).
    Raises :class:`WorkDirLockedError` naming the holder when another run
    has it. Without ``fcntl`` (not POSIX) nothing is locked."""
    if fcntl is None:
        return None
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_NAME)
    handle = open(path, 'a+')
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or 'another process'
        handle.close()
        raise WorkDirLockedError(
            f'Work dir {work_dir!r} is in use by another training run '
            f'({holder}; lock {path}). Two runs in one work dir would '
            'overwrite each other\'s checkpoints. Wait for it to finish, or '
            'give this run its own directory (--work-dir).') from None
    handle.seek(0)
    handle.truncate()
    handle.write(f'PID {os.getpid()} on {socket.gethostname()}, started '
                 f'{time.strftime("%Y-%m-%d %H:%M:%S")}\n')
    handle.flush()
    return handle


@HOOKS.register_module()
class WorkDirLockHook(Hook):
    """Refuse to train in a work directory another live run is training in
    (:func:`lock_work_dir` at ``before_train``, before anything is saved;
    released at ``after_train``, ``after_run`` or when the process ends).
    Only rank 0 locks. An evaluation (``runner.test()``, MMPose's
    ``tools/test.py`` on a config that carries this hook) takes no lock.
    ``fcntl.flock`` locks are per host on most network file systems."""

    priority = 'VERY_HIGH'

    def __init__(self):
        self._handle = None

    def before_train(self, runner):
        if runner.rank == 0 and self._handle is None:
            self._handle = lock_work_dir(runner.work_dir)

    def after_train(self, runner):
        self.after_run(runner)

    def after_run(self, runner):
        if self._handle is not None:
            self._handle.close()
            self._handle = None
