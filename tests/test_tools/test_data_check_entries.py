"""tools/train.py and tools/test.py run the COCO-style data check before the
Runner: broken or missing data ends the run with the check's message (file
and fix), a non-zero exit and no traceback, instead of mmpose's bare
JSONDecodeError or "Annotation file does not exist"."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from tests.helpers import REPO
from tests.helpers.coco_copies import (COCO_MINI, annotation_path,
                                       coco_mini_copy)
from tests.helpers.tiny_runs import train_in_subprocess
from tools.dataset_converters.coco_mini import cfg_options_line

pytestmark = [
    pytest.mark.slow,  # subprocesses
    pytest.mark.skipif(not osp.isdir(COCO_MINI),
                       reason=f'COCO-MINI is not at {COCO_MINI}')]
CONFIG = osp.join(REPO, 'configs', 'pose', 'coco_mini',
                  'simcc_res18-c16_1xb16-120e_coco-mini-64x48.py')


def assert_clear_failure(run, *words):
    assert run.returncode != 0
    assert 'Traceback' not in run.stderr, run.stderr[-3000:]
    assert 'Data check failed' in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr[-3000:]


@pytest.mark.parametrize('text,words', [
    ('', 'is empty (0 bytes)'),
    ('{"images": [{"id": 1,', 'is not valid JSON, truncated'),
])
def test_train_refuses_a_broken_annotation_file(tmp_path, text, words):
    root = coco_mini_copy(tmp_path / 'copy')
    with open(annotation_path(root), 'w') as f:
        f.write(text)
    run = train_in_subprocess(
        CONFIG, '--work-dir', str(tmp_path / 'work'),
        *cfg_options_line(root).split())
    assert_clear_failure(run, annotation_path(root), words)
    assert not osp.exists(tmp_path / 'work')  # the Runner never started


def test_test_refuses_missing_data(tmp_path):
    missing = str(tmp_path / 'nowhere')
    run = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'test.py'), CONFIG,
         str(tmp_path / 'never_read.pth'), '--work-dir',
         str(tmp_path / 'work'), '--cfg-options',
         f'test_dataloader.dataset.data_root={missing}'],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert_clear_failure(run, 'does not exist', missing,
                         'test_dataloader.dataset')
