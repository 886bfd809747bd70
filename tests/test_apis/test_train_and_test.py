"""``classroomkd_mm.apis.train_and_test`` (what the benchmark and the demos
train with): a run that stopped after its first epoch, called again with
``resume=True``, ends with exactly the student of an uninterrupted run, with
random augmentation in the pipeline (the random-generator hook is there)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from classroomkd_mm.apis import train_and_test
from classroomkd_mm.utils import torch_load_safely
from tests.helpers.tiny_runs import (run_config, save_mentors,
                                     write_image_folder)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

PIPELINE = [dict(type='LoadImageFromFile'),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='PackInputs')]


class Interrupted(Exception):
    pass


class StopAfterEpoch(Hook):
    """Raise after ``epoch``'s checkpoint is written."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise Interrupted


def student_weights(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}_student.pth'),
                      weights_only=True)['state_dict']


@pytest.mark.slow
def test_resume_repeats_the_uninterrupted_run(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = Config(run_config(data, None, save_mentors(str(tmp_path)),
                            max_epochs=3, pipeline=PIPELINE))
    cfg.test_dataloader = cfg.train_dataloader
    cfg.test_cfg = dict()
    cfg.test_evaluator = dict(type='Accuracy')
    straight, stopped = str(tmp_path / 'straight'), str(tmp_path / 'stopped')

    expected = train_and_test(cfg, straight, seed=0, resume=True)
    with pytest.raises(Interrupted):
        train_and_test(cfg, stopped, seed=0, resume=True,
                       hooks=[StopAfterEpoch(1)])
    assert osp.isfile(osp.join(stopped, 'epoch_1.pth'))
    assert not osp.isfile(osp.join(stopped, 'epoch_2.pth'))
    assert 'rng_state' in torch_load_safely(osp.join(stopped, 'epoch_1.pth'))
    got = train_and_test(cfg, stopped, seed=0, resume=True)

    assert got == expected
    final, resumed = student_weights(straight, 3), student_weights(stopped, 3)
    for key in final:
        assert torch.equal(final[key], resumed[key]), key
    assert cfg.get('custom_hooks') == []  # the caller's config is untouched
