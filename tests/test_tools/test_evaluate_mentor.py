"""tools/evaluate_mentor.py: MoveNet (a mentor file) through its bridge into
the COCO-MINI SimCC student's bins, scored by the config's evaluators on the
68 held-out people."""
import os.path as osp

import pytest

from tests.helpers.tiny_runs import REPO, load_tool

CONFIG = osp.join(REPO, 'configs', 'pose', 'coco_mini',
                  'classroomkd_simcc_res18-c16-from-movenet_1xb16-120e_'
                  'coco-mini-64x48.py')


@pytest.mark.slow
def test_movenet_through_the_bridge_scores_near_its_own_decoding(tmp_path):
    pytest.importorskip('ai_edge_litert', reason='ai-edge-litert is not '
                        'installed: the TFLite mentor cannot run')
    if not osp.isdir(osp.join(REPO, '..', 'shared', 'data', 'coco_mini')):
        pytest.skip('COCO-MINI is not on this machine')
    metrics = load_tool('evaluate_mentor').main(
        [CONFIG, 'movenet', '--work-dir', str(tmp_path)])
    # MoveNet's own decoding from the same crops: 84.8% (its README); the
    # bridge hands the student's bins what MoveNet sees, within 3 points
    assert metrics['PCK'] >= 0.818
