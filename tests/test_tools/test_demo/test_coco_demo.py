"""The main job's pose part (tools/demo/coco_demo.py) end to end at a
fraction of its length: COCO-MINI's train2017 for training, its held-out
val2017 for the score, mentors of two head families, NoKD and ClassroomKD
over two seeds, the table, the student-only checkpoint through mmpose's
inference API and visualiser; and the clear error for a missing folder."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from tests.helpers import REPO

DEMO = osp.join(REPO, 'tools', 'demo', 'coco_demo.py')
DATA = osp.normpath(osp.join(REPO, '..', 'shared', 'data', 'coco_mini'))


def run_demo(*args, timeout=900):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, DEMO, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.skipif(not osp.isdir(DATA), reason=f'COCO-MINI not at {DATA}')
def test_quick_demo_trains_on_train2017_and_scores_val2017(tmp_path):
    done = run_demo('--work-dir', str(tmp_path), '--iter-scale', '0.05',
                    '--seeds', '0', '1')
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert 'scored on val2017' in out
    # at 0.05 of the length: mentors of 3 epochs and their epoch-1
    # snapshots (the spec's epochs 120 and 30, scaled), students of 2
    for row in ('mentor simcc_r18c32 ', 'mentor hm_r18c32 ',
                'mentor simcc_r18c32_e1 ', 'mentor hm_r18c32_e1 ',
                'student NoKD', 'student ClassroomKD'):
        assert row in out, row
    assert 'ClassroomKD - NoKD, paired by seed' in out
    assert '+-' in out
    # the console has progress lines and the table, not MMEngine's output
    assert 'mmengine - ' not in out and 'Average Precision' not in out
    logs = tmp_path / 'coco_mini' / 'logs'
    assert 'Average Precision' in (logs / 'nokd_seed_0.log').read_text()
    vis = tmp_path / 'classroomkd_student_coco_mini_vis.jpg'
    assert vis.stat().st_size > 0
    assert 'mmpose.apis.init_model' in out and 'val2017/' in out


@pytest.mark.slow
def test_missing_data_root_names_it_and_the_fix(tmp_path):
    missing = tmp_path / 'no_coco_mini'
    done = run_demo('--data-root', str(missing), '--work-dir',
                    str(tmp_path / 'work'), timeout=300)
    assert done.returncode != 0
    assert str(missing) in done.stderr
    assert 'does not exist' in done.stderr and '--data-root' in done.stderr
    assert not (tmp_path / 'work').exists()
