"""A Runner training with ``mentor_runtime=dict(engine='onnxruntime')``:
the mentors are exported once into the work dir, and a run resumed from
its checkpoint takes them from there without exporting again."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from classroomkd_mm.apis import train_and_test
from tests.helpers.tiny_runs import (run_config, save_mentors,
                                     write_image_folder)
from tests.helpers.tiny_runs import (PIPELINE, Interrupted, StopAfterEpoch)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')
pytest.importorskip('onnxruntime')


@pytest.mark.slow
def test_runner_exports_once_and_resume_reuses_the_cache(tmp_path,
                                                         exports):
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = Config(run_config(data, None, save_mentors(str(tmp_path)),
                            max_epochs=2, pipeline=PIPELINE))
    cfg.model.mentor_runtime = dict(engine='onnxruntime')
    cfg.test_dataloader = cfg.train_dataloader
    cfg.test_cfg = dict()
    cfg.test_evaluator = dict(type='Accuracy')
    work_dir = str(tmp_path / 'run')
    with pytest.raises(Interrupted):
        train_and_test(cfg, work_dir, seed=0, resume=True,
                       hooks=[StopAfterEpoch(1)])
    assert sorted(exports) == ['m0', 'm1']
    files = sorted(glob.glob(osp.join(work_dir, 'mentor_engine', '*.onnx')))
    assert len(files) == 2
    metrics = train_and_test(cfg, work_dir, seed=0, resume=True)
    assert sorted(exports) == ['m0', 'm1']  # resumed: no export
    assert sorted(glob.glob(osp.join(work_dir, 'mentor_engine',
                                     '*.onnx'))) == files
    assert metrics
