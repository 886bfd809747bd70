"""The model-zoo configs load with mmengine, inherit mmpose's recipes, and
build: the student fully, every mentor's head and codec on a tiny backbone
(their checkpoints are model-zoo URLs, not fetched here), each with a bridge
into the student's output space."""
import glob
import os.path as osp

import pytest

from tests.helpers import REPO
from classroomkd_mm.models.adapters import HeatmapAdapter, SimCCAdapter
from classroomkd_mm.models.classroom.mentor_builder import \
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
    # the student is named first: classroomkd_<student>-from-<mentors>_...
    student_name = osp.basename(path).split('-from-')[0]
    adapter_cls = (SimCCAdapter if 'rtmpose' in student_name
                   else HeatmapAdapter)
    assert adapter_cls.supports(student)
    # every mentor's head and codec (a tiny backbone stands in for its own,
    # which may live in mmdet) and its bridge into the student's space
    from tests.helpers.zoo_models import shrink

    from classroomkd_mm.models.bridges.mentor_bridge import MentorBridge
    from classroomkd_mm.models.bridges.output_space import \
        describe_pose_output
    ours = describe_pose_output('The student', student)
    for name, mentor_cfg in cfg.model.mentors.items():
        assert mentor_cfg.checkpoint.startswith(
            'https://download.openmmlab.com')
        mentor = build(shrink(mentor_model_config(name, mentor_cfg)))
        bridge = MentorBridge(name, describe_pose_output(name, mentor), ours,
                              mentor_cfg.get('keypoint_mapping'))
        assert bridge.keypoint_mask.all()


def test_model_index_lists_every_pose_config():
    """model-index.yml imports metafiles whose models name, between them,
    every COCO and MPII zoo config (tests/test_configs/test_model_index.py
    checks the files' fields; the index also lists the sample and
    classification ClassroomKD configs)."""
    import yaml
    with open(osp.join(REPO, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    configs = set()
    for metafile in imports:
        with open(osp.join(REPO, metafile)) as f:
            configs |= {m['Config'] for m in yaml.safe_load(f)['Models']}
    zoo = {c for c in configs if c.startswith(('configs/pose/coco/',
                                               'configs/pose/mpii/'))}
    assert zoo == {osp.relpath(p, REPO) for p in ZOO_CONFIGS}
