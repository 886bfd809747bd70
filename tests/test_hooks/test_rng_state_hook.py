"""A run killed with SIGKILL in the middle of an epoch resumes from its last
checkpoint (``tools/train.py --resume``) and ends with exactly the student
weights of an uninterrupted run with the same seed (CPU, deterministic), with
random augmentation in the pipeline (``RngStateHook`` restores the random
generators; without it the resumed epoch draws other flips)."""
import pytest
import os.path as osp
import signal

import numpy as np
import torch

from tests.helpers.tiny_runs import (dump_config, run_config, save_mentors,
                                     train_in_subprocess, write_image_folder)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

# a random flip: the resumed epoch must draw the flips the uninterrupted run
# drew
PIPELINE = [dict(type='LoadImageFromFile'),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='PackInputs')]
ITERS_PER_EPOCH = 4  # 16 images, batch 4
KILL_AFTER = ITERS_PER_EPOCH + 2  # in the middle of epoch 2


def student_weights(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}_student.pth'),
                      weights_only=True)['state_dict']


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_matches_uninterrupted(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    mentors = save_mentors(str(tmp_path))
    straight, killed = str(tmp_path / 'straight'), str(tmp_path / 'killed')
    plain = dump_config(
        run_config(data, straight, mentors, pipeline=PIPELINE),
        str(tmp_path / 'plain.py'))
    cfg = run_config(data, killed, mentors, pipeline=PIPELINE, custom_hooks=[
        dict(type='SigkillAfterIter', at_iter=KILL_AFTER)])
    cfg['custom_imports'] = dict(imports=['tests.helpers.kill_hook'])
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


class FakeRunner:

    def __init__(self, resume, world_size=1, diff_rank_seed=False):
        from mmengine.config import Config
        self._resume, self.world_size = resume, world_size
        self.cfg = Config(dict(randomness=dict(
            seed=0, diff_rank_seed=diff_rank_seed)))


def test_rng_state_hook_restores_only_on_resume():
    import random
    from classroomkd_mm.hooks import RngStateHook
    hook, checkpoint = RngStateHook(), {}
    torch.manual_seed(1)
    np.random.seed(1)
    random.seed(1)
    hook.before_save_checkpoint(FakeRunner(True), checkpoint)
    expected = (torch.rand(3), np.random.rand(3), random.random())
    for runner, restores in ((FakeRunner(True), True),
                             (FakeRunner(False), False),  # load_from
                             (FakeRunner(True, 2, True), False)):
        torch.manual_seed(2)
        np.random.seed(2)
        random.seed(2)
        hook.after_load_checkpoint(runner, checkpoint)
        hook.before_train(runner)
        got = (torch.rand(3), np.random.rand(3), random.random())
        assert torch.equal(got[0], expected[0]) == restores
        assert np.array_equal(got[1], expected[1]) == restores
        assert (got[2] == expected[2]) == restores
