"""Checkpoint files stay whole and faithful: atomic writes, a truncated
resume target named, auto-resume past a broken checkpoint, student files
equal to their checkpoint's student after ``--resume``, one training run
per work dir."""
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import runner as runner_module

from classroomkd_mm.hooks import WorkDirLockedError
from classroomkd_mm.hooks.work_dir_lock_hook import lock_work_dir
from classroomkd_mm.utils.checkpoint_files import find_latest_whole_checkpoint
from classroomkd_mm.utils.safe_checkpoint import (UnreadableCheckpointError,
                                                  torch_load_safely)
from tests.helpers import REPO
from tests.helpers.tiny_runs import (run_config, save_mentors,
                                 write_image_folder)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

LOCK_HOOK = dict(type='classroomkd_mm.WorkDirLockHook')
STUDENT_HOOK = dict(type='classroomkd_mm.StudentCheckpointHook')


def train(tmp_path, max_epochs, hooks=(STUDENT_HOOK, ), **extra):
    from mmengine.runner import Runner
    data = str(tmp_path / 'data')
    if not osp.isdir(data):
        write_image_folder(data)
    cfg = run_config(data, str(tmp_path / 'work'),
                     save_mentors(str(tmp_path)), max_epochs=max_epochs,
                     custom_hooks=list(hooks))
    cfg.update(extra)
    runner = Runner.from_cfg(Config(cfg))
    runner.train()
    return runner


def truncate(path, size=2000):
    with open(path, 'r+b') as f:
        f.truncate(size)


@pytest.mark.slow
def test_a_write_killed_midway_leaves_the_old_checkpoint(tmp_path):
    """A process killed while writing (SIGXFSZ from a file-size limit, at
    the first 4 KiB) through the Runner's ``save_checkpoint``: MMEngine
    0.10.7's would leave a truncated file under the final name; the old
    file stays whole."""
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(3))), path)
    before = path.read_bytes()
    script = (
        'import resource, signal, torch, classroomkd_mm\n'
        'from mmengine.runner import runner\n'
        'signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n'  # Python ignores it
        'resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n'
        f'runner.save_checkpoint(dict(state_dict=dict(w=torch.zeros(100000)))'
        f', {str(path)!r})\n')
    done = subprocess.run([sys.executable, '-c', script], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGXFSZ, done.stderr
    assert path.read_bytes() == before
    assert runner_module.save_checkpoint.atomic


def test_truncated_resume_target_is_named(tmp_path):
    path = tmp_path / 'epoch_3.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(5000))), path)
    truncate(path)
    from mmengine.runner.checkpoint import CheckpointLoader
    with pytest.raises(UnreadableCheckpointError,
                       match=r'epoch_3.pth.* is truncated or corrupt.*'
                       r'point to the right file'):
        CheckpointLoader.load_checkpoint(str(path), 'cpu')


def test_auto_resume_falls_back_to_the_newest_whole_checkpoint(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    for epoch in (1, 2, 3):
        torch.save(dict(state_dict=dict(w=torch.ones(5000) * epoch)),
                   work / f'epoch_{epoch}.pth')
        os.utime(work / f'epoch_{epoch}.pth', ns=(epoch * 10**9, ) * 2)
    (work / 'last_checkpoint').write_text(str(work / 'epoch_3.pth'))
    assert find_latest_whole_checkpoint(str(work)) == str(work / 'epoch_3.pth')
    truncate(work / 'epoch_3.pth')
    assert find_latest_whole_checkpoint(str(work)) == str(work / 'epoch_2.pth')
    (work / 'last_checkpoint').unlink()
    assert find_latest_whole_checkpoint(str(work)) is None  # as MMEngine


@pytest.mark.slow
def test_student_file_of_the_resumed_checkpoint_is_not_rewritten(tmp_path):
    train(tmp_path, max_epochs=1)
    work = tmp_path / 'work'
    student_file = work / 'epoch_1_student.pth'
    before = student_file.read_bytes()
    train(tmp_path, max_epochs=2, resume=True)  # auto: from epoch_1.pth
    for epoch in (1, 2):
        full = torch_load_safely(str(work / f'epoch_{epoch}.pth'))
        student = torch.load(work / f'epoch_{epoch}_student.pth',
                             weights_only=True)
        assert student['meta']['epoch'] == full['meta']['epoch'] == epoch
        for key, value in student['state_dict'].items():
            assert torch.equal(value, full['state_dict'][key])
    assert student_file.read_bytes() == before


@pytest.mark.slow
def test_auto_resume_past_a_truncated_checkpoint(tmp_path):
    train(tmp_path, max_epochs=2)
    truncate(tmp_path / 'work' / 'epoch_2.pth')
    runner = train(tmp_path, max_epochs=2, resume=True)
    assert runner.epoch == 2  # epoch 2 retrained from epoch_1.pth
    torch_load_safely(str(tmp_path / 'work' / 'epoch_2.pth'))


def test_a_second_run_in_the_same_work_dir_is_refused(tmp_path):
    held = lock_work_dir(str(tmp_path / 'work'))  # a live run's lock
    try:
        with pytest.raises(WorkDirLockedError,
                           match=rf"Work dir .*work' is in use by another "
                           r'training run \(PID '
                           rf'{os.getpid()} on .*--work-dir'):
            train(tmp_path, max_epochs=1, hooks=[LOCK_HOOK])
    finally:
        held.close()
    train(tmp_path, max_epochs=1, hooks=[LOCK_HOOK])  # free again


@pytest.mark.slow
def test_a_killed_run_leaves_no_stuck_lock(tmp_path):
    work = str(tmp_path / 'work')
    script = ('import sys, time\n'
              'from classroomkd_mm.hooks.work_dir_lock_hook import '
              'lock_work_dir\n'
              f'held = lock_work_dir({work!r}); print("locked", flush=True)\n'
              'time.sleep(60)\n')
    env = dict(os.environ, PYTHONPATH=REPO)
    child = subprocess.Popen([sys.executable, '-c', script], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == 'locked'
        with pytest.raises(WorkDirLockedError, match=f'PID {child.pid}'):
            lock_work_dir(work)
    finally:
        child.kill()
        child.wait()
    lock_work_dir(work).close()
