"""A run killed with SIGKILL in the middle of an epoch resumes from its last
checkpoint (``tools/train.py --resume``) and ends with exactly the student
weights of an uninterrupted run with the same seed (CPU, deterministic)."""
import os.path as osp
import signal

import torch

from reliability_helpers import (dump_config, run_config, save_mentors,
                                 train_in_subprocess, write_image_folder)

ITERS_PER_EPOCH = 4  # 16 images, batch 4
KILL_AFTER = ITERS_PER_EPOCH + 2  # in the middle of epoch 2


def student_weights(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}_student.pth'),
                      weights_only=True)['state_dict']


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    mentors = save_mentors(str(tmp_path))
    straight, killed = str(tmp_path / 'straight'), str(tmp_path / 'killed')
    plain = dump_config(run_config(data, straight, mentors),
                        str(tmp_path / 'plain.py'))
    cfg = run_config(data, killed, mentors, custom_hooks=[
        dict(type='SigkillAfterIter', at_iter=KILL_AFTER)])
    cfg['custom_imports'] = dict(imports=['kill_hook'])
    dying = dump_config(cfg, str(tmp_path / 'dying.py'))

    done = train_in_subprocess(plain)
    assert done.returncode == 0, done.stderr[-3000:]

    died = train_in_subprocess(dying)
    assert died.returncode == -signal.SIGKILL, died.stderr[-3000:]
    assert osp.isfile(osp.join(killed, 'epoch_1.pth'))
    assert not osp.isfile(osp.join(killed, 'epoch_2.pth'))
    log = died.stdout + died.stderr
    done_in_epoch_2 = KILL_AFTER - ITERS_PER_EPOCH
    assert f'[2][{done_in_epoch_2}/{ITERS_PER_EPOCH}]' in log
    assert f'[2][{done_in_epoch_2 + 1}/{ITERS_PER_EPOCH}]' not in log

    resumed = train_in_subprocess(plain, '--work-dir', killed, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()

    expected, got = student_weights(straight, 3), student_weights(killed, 3)
    assert expected.keys() == got.keys()
    for key in expected:
        assert torch.equal(expected[key], got[key]), key
    # and the run really trained: the student moved from its start
    first = student_weights(straight, 1)
    assert any(not torch.equal(first[k], expected[k]) for k in expected)
