"""The COCO-MINI benchmark spec (configs/benchmarks/coco_mini_methods.py)
builds every method's config."""
import os.path as osp

import pytest

from benchmarks.methods import load_spec
from benchmarks.methods.runs import method_config
from tests.helpers import REPO

pytestmark = pytest.mark.usefixtures('mmpose_scope')

SPEC = osp.join(REPO, 'configs', 'benchmarks', 'coco_mini_methods.py')


def test_spec_builds_every_method():
    spec = load_spec(SPEC)
    assert set(spec.methods) == {'nokd', 'kd', 'aver', 'camkd', 'ebkd',
                                 'dgkd', 'dwpose', 'classroomkd'}
    assert len(spec.seeds) >= 5 and spec.metric == 'PCK'
    families = {osp.basename(spec.trainings[t]['config']).split('_')[0]
                for t in spec.trainings}
    assert families == {'simcc', 'td-hm'}
    scores = {m: float(i) for i, m in enumerate(spec.mentors)}
    for method in spec.methods:
        cfg = method_config(spec, method,
                            spec.method_mentors(method, scores))
        if method == 'dwpose':
            assert cfg.model.type == 'DWPoseDistiller'
            assert 'simcc' in cfg.model.teacher_cfg
        else:
            assert cfg.model.type == 'classroomkd_mm.ClassroomDistiller'
