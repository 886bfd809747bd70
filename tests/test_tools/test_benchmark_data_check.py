"""tools/benchmark_data_check.py runs on COCO-MINI and reports both
timings and their ratio (no time is asserted)."""
import os.path as osp

import pytest

from tests.helpers.coco_copies import COCO_MINI
from tests.helpers.tiny_runs import load_tool


@pytest.mark.skipif(not osp.isdir(COCO_MINI),
                    reason=f'COCO-MINI is not at {COCO_MINI}')
@pytest.mark.usefixtures('mmpose_scope')
def test_reports_the_check_against_the_dataset_build():
    result = load_tool('benchmark_data_check').main(['--repeats', '1'])
    assert result['check_seconds'] > 0 and result['dataset_build_seconds'] > 0
    assert result['check_over_build'] == pytest.approx(
        result['check_seconds'] / result['dataset_build_seconds'], abs=2e-3)
