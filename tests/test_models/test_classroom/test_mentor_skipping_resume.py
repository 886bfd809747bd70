"""With mentor skipping on, a run stopped after its first epoch and resumed
(``train_and_test(..., resume=True)``) ends with exactly the student and the
error cache of an uninterrupted run: the cache is in the full checkpoint."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from classroomkd_mm.apis import train_and_test
from classroomkd_mm.utils import torch_load_safely
from tests.helpers.tiny_runs import (run_config, save_mentors,
                                     write_image_folder)
from tests.helpers.tiny_runs import (PIPELINE, Interrupted, StopAfterEpoch, student_weights)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


class SkippedRates(Hook):
    """Collect the logged ``classroom.*.skipped_rate`` of every step."""

    def __init__(self):
        self.rates = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.rates.append({k: float(v) for k, v in outputs.items()
                           if k.endswith('skipped_rate')})


@pytest.mark.slow
def test_resume_with_skipping_repeats_the_uninterrupted_run(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = Config(run_config(data, None, save_mentors(str(tmp_path)),
                            max_epochs=3, pipeline=PIPELINE))
    cfg.model.mentor_skipping = dict(margin=0.02, reprobe_fraction=0.25)
    cfg.test_dataloader = cfg.train_dataloader
    cfg.test_cfg = dict()
    cfg.test_evaluator = dict(type='Accuracy')
    straight, stopped = str(tmp_path / 'straight'), str(tmp_path / 'stopped')

    rates = SkippedRates()
    expected = train_and_test(cfg, straight, seed=0, resume=True,
                              hooks=[rates])
    with pytest.raises(Interrupted):
        train_and_test(cfg, stopped, seed=0, resume=True,
                       hooks=[StopAfterEpoch(1)])
    assert train_and_test(cfg, stopped, seed=0, resume=True) == expected

    assert len(rates.rates) == 12  # 16 images, batch 4, 3 epochs
    assert set(rates.rates[0]) == {'classroom.m0.skipped_rate',
                                   'classroom.m1.skipped_rate'}
    assert all(v == 0 for v in rates.rates[0].values())  # empty cache
    assert sum(sum(r.values()) for r in rates.rates[4:]) > 0
    final, resumed = student_weights(straight, 3), student_weights(stopped, 3)
    assert not any('skip_cache' in k for k in final)
    for key in final:
        assert torch.equal(final[key], resumed[key]), key
    full = [torch_load_safely(osp.join(d, 'epoch_3.pth'))['state_dict']
            for d in (straight, stopped)]
    assert full[0]['classroom.skip_cache.visits'].tolist() == [3] * 16
    for key in ('classroom.skip_cache.errors',
                'classroom.skip_cache.visits'):
        assert torch.equal(full[0][key].nan_to_num(-1),
                           full[1][key].nan_to_num(-1)), key
