"""The main job's pose part (tools/demo/coco_demo.py) end to end at a
fraction of its length: COCO-MINI's train2017 with scarce labels for
training, its held-out val2017 for the score, MoveNet (a mentor given as a
model file) and the from-scratch peer, NoKD, KD and ClassroomKD over two
seeds, the table with the paired differences and the CPU, the NoKD and the
better distilled student-only checkpoints through mmpose's inference API and
visualiser side by side; and the clear error for a missing folder."""
import os
import os.path as osp
import subprocess
import sys

import mmcv
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
    assert 'scored on val2017' in out and 'keypoint labels of 20' in out
    assert 'CPU: ' in out
    # at 0.05 of the length: the peer of 3 epochs (the spec's 120
    # shortened to 60, scaled), students of 2; MoveNet is its file
    for row in ('mentor movenet ', 'mentor simcc_r18c32_20 ',
                'student NoKD', 'student KD (MoveNet)',
                'student ClassroomKD'):
        assert row in out, row
    movenet = next(line for line in out.splitlines()
                   if line.startswith('mentor movenet '))
    assert float(movenet.split()[4]) > 75  # pretrained: its PCK@0.2
    assert 'KD (MoveNet) - NoKD, paired by seed' in out
    assert 'ClassroomKD - NoKD, paired by seed' in out
    assert '+-' in out
    # the console has progress lines and the table, not MMEngine's output
    assert 'mmengine - ' not in out and 'Average Precision' not in out
    logs = tmp_path / 'coco_mini' / 'logs'
    assert 'Average Precision' in (logs / 'nokd_seed_0.log').read_text()
    pngs = list(tmp_path.glob('nokd_vs_*_student_coco_mini.png'))
    assert len(pngs) == 1, pngs
    assert str(pngs[0]) in out
    # two panels side by side: twice the val2017 image's width and a gap
    panels = mmcv.imread(str(pngs[0]))
    image = next(line for line in out.splitlines() if 'val2017/' in line)
    name = image.split('val2017/')[1].split(';')[0]
    original = mmcv.imread(osp.join(DATA, 'val2017', name))
    assert panels.shape[0] == original.shape[0]
    assert panels.shape[1] == 2 * original.shape[1] + 8
    assert 'mmpose.apis.init_model' in out


@pytest.mark.slow
def test_missing_data_root_names_it_and_the_fix(tmp_path):
    missing = tmp_path / 'no_coco_mini'
    done = run_demo('--data-root', str(missing), '--work-dir',
                    str(tmp_path / 'work'), timeout=300)
    assert done.returncode != 0
    assert str(missing) in done.stderr
    assert 'does not exist' in done.stderr and '--data-root' in done.stderr
    assert not (tmp_path / 'work').exists()
