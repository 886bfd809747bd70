"""``classroomkd_mm.apis.train_and_test`` (what the benchmark and the demos
train with): a run that stopped after its first epoch, called again with
``resume=True``, ends with exactly the student of an uninterrupted run, with
random augmentation in the pipeline (the random-generator hook is there)."""
import os.path as osp

import pytest
import torch

from classroomkd_mm.apis import train_and_test
from classroomkd_mm.utils import torch_load_safely
from tests.helpers.tiny_runs import (PIPELINE, Interrupted, StopAfterEpoch,
                                     student_weights, train_test_config)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

@pytest.mark.slow
def test_resume_repeats_the_uninterrupted_run(tmp_path):
    cfg = train_test_config(tmp_path, max_epochs=3, pipeline=PIPELINE)
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


@pytest.mark.slow
def test_each_run_writes_its_scalars_into_its_own_work_dir(tmp_path):
    """mmpose's default_runtime names its visualizer 'visualizer'; a second
    run must not reuse the first run's visualizer and its log dir."""
    import glob
    import json
    cfg = train_test_config(tmp_path, max_epochs=1)
    cfg.visualizer = dict(type='Visualizer', name='visualizer',
                          vis_backends=[dict(type='LocalVisBackend')])
    for run in ('first', 'second'):
        train_and_test(cfg, str(tmp_path / run), seed=0)
    for run in ('first', 'second'):
        scalars = glob.glob(str(tmp_path / run / '*' / 'vis_data' /
                                'scalars.json'))
        assert len(scalars) == 1, run
        with open(scalars[0]) as f:
            steps = [json.loads(line)['step'] for line in f]
        # one run's own log: a training step and the test entry, not the
        # other run's lines
        assert len(steps) == len(set(steps)), (run, steps)
    assert cfg.visualizer.name == 'visualizer'
