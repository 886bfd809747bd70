"""Checkpoint files that are always whole: atomic writes, and auto-resume
that falls back to the newest readable checkpoint.

Checked against MMEngine 0.10.7, whose ``Runner.save_checkpoint`` calls
``mmengine.runner.runner.save_checkpoint`` (serialise to memory, then
``LocalBackend.put``: ``open(path, 'wb')`` and one write, so a crash or a
full disk mid-write leaves a truncated file under the final name), and whose
``Runner.load_or_resume`` calls ``mmengine.runner.runner.
find_latest_checkpoint`` (the path in ``<work_dir>/last_checkpoint``, readable
or not). :func:`install_checkpoint_file_safety` rebinds exactly these two
names in ``mmengine.runner.runner``.
"""
import glob
import logging
import os
import os.path as osp
import tempfile
import zipfile

import torch
from mmengine.logging import print_log

from .safe_checkpoint import UnreadableCheckpointError, check_readable


def atomic_torch_save(obj, path: str):
    """``torch.save(obj, path)`` that never leaves a partial file at
    ``path``: write a temporary file in the same directory, flush and
    ``fsync`` it, ``os.replace`` it onto ``path`` (atomic on POSIX), then
    ``fsync`` the directory. A crash leaves the old file (or none) at
    ``path`` and at most a hidden ``.<name>.*.tmp`` beside it."""
    path = osp.abspath(path)
    folder = osp.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{osp.basename(path)}.',
                               suffix='.tmp')
    os.close(fd)
    try:
        with open(tmp, 'wb') as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def make_atomic_save_checkpoint(mmengine_save_checkpoint):
    """MMEngine's ``save_checkpoint`` with local files written by
    :func:`atomic_torch_save`; remote backends (``s3://``, ``pavi://``,
    explicit backend arguments) keep MMEngine's own."""

    def save_checkpoint(checkpoint, filename, file_client_args=None,
                        backend_args=None):
        if file_client_args is None and backend_args is None and \
                '://' not in str(filename):
            atomic_torch_save(checkpoint, str(filename))
        else:
            mmengine_save_checkpoint(checkpoint, filename, file_client_args,
                                     backend_args)

    save_checkpoint.atomic = True
    return save_checkpoint


def checkpoint_defect(path: str) -> str:
    """``''`` if ``path`` is a readable torch checkpoint (for a zip
    archive, every member's CRC checks), else the reason it is not."""
    if not osp.isfile(path):
        return 'it does not exist'
    try:
        check_readable(path)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
            if bad is not None:
                return f'its member {bad} is corrupt'
    except (UnreadableCheckpointError, zipfile.BadZipFile, OSError) as error:
        return str(error)
    return ''


def find_latest_whole_checkpoint(work_dir: str):
    """What ``--resume`` without a path resumes from: the checkpoint named in
    ``<work_dir>/last_checkpoint`` if it is whole; if it is not (truncated,
    corrupt, deleted), the most recently written whole ``*.pth`` checkpoint
    of the work dir (student files aside), with a warning naming both.
    ``None`` (start from scratch, as MMEngine does) when there is no
    ``last_checkpoint``; the unusable file itself when nothing else is
    whole, so that loading it raises the error naming it."""
    last_file = osp.join(work_dir, 'last_checkpoint')
    last = None
    if osp.isfile(last_file):
        with open(last_file) as f:
            last = f.read().strip() or None
    if last is None:
        print_log(f'Auto-resume: no {last_file}; starting from scratch.',
                  logger='current', level=logging.WARNING)
        return None
    defect = checkpoint_defect(last)
    if not defect:
        return last
    candidates = [p for p in glob.glob(osp.join(work_dir, '*.pth'))
                  if not p.endswith('_student.pth')
                  and osp.abspath(p) != osp.abspath(last)]
    candidates.sort(key=lambda p: os.stat(p).st_mtime_ns, reverse=True)
    for path in candidates:
        if not checkpoint_defect(path):
            print_log(
                f'Auto-resume: {last}, named in {last_file}, cannot be used '
                f'({defect}); resuming from the newest whole checkpoint, '
                f'{path}.', logger='current', level=logging.WARNING)
            return path
    return last


def install_checkpoint_file_safety():
    """Rebind ``save_checkpoint`` and ``find_latest_checkpoint`` in
    ``mmengine.runner.runner`` (the names ``Runner`` calls) to
    :func:`make_atomic_save_checkpoint` and
    :func:`find_latest_whole_checkpoint`."""
    from mmengine.runner import runner as runner_module
    if not getattr(runner_module.save_checkpoint, 'atomic', False):
        runner_module.save_checkpoint = make_atomic_save_checkpoint(
            runner_module.save_checkpoint)
    runner_module.find_latest_checkpoint = find_latest_whole_checkpoint
