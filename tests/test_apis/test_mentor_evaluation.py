"""classroomkd_mm.apis.mentor_evaluation: which mentor is scored, and the
errors that name the config's problem (the scoring itself runs in
tests/test_tools/test_evaluate_mentor.py)."""
import os.path as osp

import pytest
from mmengine.config import Config

from classroomkd_mm.apis import bridged_mentor
from tests.helpers.tiny_runs import REPO

pytestmark = pytest.mark.usefixtures('mmpose_scope')

CONFIG = osp.join(REPO, 'configs', 'pose', 'coco_mini',
                  'classroomkd_simcc_res18-c16-from-movenet_1xb16-120e_'
                  'coco-mini-64x48.py')


def test_an_unknown_mentor_is_named_with_the_known_ones():
    cfg = Config.fromfile(CONFIG)
    with pytest.raises(ValueError, match=r"no mentor 'nobody' in "
                       r"model.mentors \(it has \['movenet'"):
        bridged_mentor(cfg, 'nobody')


def test_a_network_without_checkpoint_is_refused():
    cfg = Config.fromfile(CONFIG)
    cfg.model.mentors = dict(bare=dict(model=cfg.model.student))
    with pytest.raises(ValueError, match="Mentor 'bare' has no checkpoint "
                       'and is no mentor file'):
        bridged_mentor(cfg, 'bare')
