"""The model-zoo configs load with mmengine, inherit mmpose's recipes, and
build: the student fully, the mentors' structures (their checkpoints are
model-zoo URLs, not fetched here), with matching output signatures."""
import glob
import os.path as osp

import pytest

from tests.helpers import REPO
from classroomkd_mm.models.adapters import HeatmapAdapter, SimCCAdapter
from classroomkd_mm.models.distillers.mentor_builder import \
    mentor_model_config

pytestmark = pytest.mark.usefixtures('mmpose_scope')


ZOO_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'pose', 'coco', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'pose', 'mpii', '*.py')))


def build(model_cfg):
    from mmpose.registry import MODELS
    model_cfg = dict(model_cfg)
    backbone = dict(model_cfg['backbone'])
    backbone.pop('init_cfg', None)
    model_cfg['backbone'] = backbone
    return MODELS.build(model_cfg)


def test_zoo_configs_exist():
    names = [osp.basename(p) for p in ZOO_CONFIGS]
    assert any('coco-256x192' in n for n in names)
    assert any('mpii-256x256' in n for n in names)


@pytest.mark.parametrize('path', ZOO_CONFIGS,
                         ids=[osp.basename(p) for p in ZOO_CONFIGS])
def test_zoo_config_loads_and_builds(path):
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    assert cfg.custom_imports['imports'] == ['classroomkd_mm']
    assert cfg.model.type == 'classroomkd_mm.ClassroomDistiller'
    assert cfg.train_dataloader.dataset.type in ('CocoDataset',
                                                 'MpiiDataset')
    evaluator = cfg.val_evaluator.type
    assert evaluator == ('MpiiPCKAccuracy' if 'mpii' in path else
                         'CocoMetric')
    if 'rtmpose' in path:  # CSPNeXt backbone lives in mmdet
        pytest.importorskip(
            'mmdet', reason='RTMPose configs need mmdet: they run on the '
            'latest stack (tools/run_tests.sh latest), not on the pinned one')
    student = build(cfg.model.student)
    adapter_cls = SimCCAdapter if 'rtmpose' in path else HeatmapAdapter
    assert adapter_cls.supports(student)
    adapter = adapter_cls()
    ours = adapter.output_signature(student)
    # one mentor's structure (all are checked by the distiller at build time
    # once their checkpoints are at hand)
    name, mentor_cfg = next(iter(cfg.model.mentors.items()))
    assert mentor_cfg.checkpoint.startswith('https://download.openmmlab.com')
    mentor = build(mentor_model_config(name, mentor_cfg))
    assert adapter_cls.supports(mentor)
    assert adapter.output_signature(mentor) == ours


def test_model_index_lists_every_pose_config():
    """model-index.yml imports metafiles whose models name, between them,
    every COCO and MPII zoo config (tests/test_configs/test_model_index.py
    checks the files' fields)."""
    import yaml
    with open(osp.join(REPO, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    configs = set()
    for metafile in imports:
        with open(osp.join(REPO, metafile)) as f:
            configs |= {m['Config'] for m in yaml.safe_load(f)['Models']}
    assert configs == {osp.relpath(p, REPO) for p in ZOO_CONFIGS}
