"""Two CPU processes (gloo) through the real launcher: tools/dist_train.sh
(torchrun, MMEngine's `pytorch` launcher) trains a tiny ClassroomKD config
for a few iterations."""
import json
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

import pytest
import torch

from tests.helpers import REPO
from tests.helpers.tiny_classifiers import classifier_cfg, save_checkpoint

pytestmark = pytest.mark.slow  # subprocess runs


CONFIG = '''
custom_imports = dict(
    imports=['classroomkd_mm', 'tests.helpers.cpu_dist_shim',
             'tests.helpers.dist_probe_hook'],
    allow_failed_imports=False)
default_scope = 'mmpretrain'
model = {model!r}
train_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(type='CustomDataset', data_root={data!r},
                 data_prefix='train',
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='PackInputs')]),
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(by_epoch=False, max_iters=4)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
    logger=dict(type='LoggerHook', interval=1))
custom_hooks = [dict(type='DistProbeHook', out_dir={out!r})]
randomness = dict(seed=0)
# A CPU module: DDP takes no device_ids (MMEngine passes [LOCAL_RANK]).
model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                         broadcast_buffers=False, device_ids=None)
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not torch.distributed.is_available() or
                    not torch.distributed.is_gloo_available(),
                    reason='needs torch.distributed with gloo')
@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_two_process_gloo_training(tmp_path):
    from tools.dataset_converters.digits_folder import write_digits_folder
    data = str(tmp_path / 'digits')
    write_digits_folder(data, val_per_class=1, train_per_class=2, size=16)
    mentors = {}
    for i, width in enumerate((8, 6)):
        path = str(tmp_path / f'm{i}.pth')
        save_checkpoint(classifier_cfg(width, 10), path, seed=10 + i)
        mentors[f'm{i}'] = dict(model=classifier_cfg(width, 10),
                                checkpoint=path)
    model = dict(type='classroomkd_mm.ClassroomDistiller',
                 student=classifier_cfg(4, 10), mentors=mentors,
                 policy=dict(type='KnowledgeFilter'),
                 mentoring=dict(type='MentoringLoss', tau=12.0))
    out = tmp_path / 'probe'
    out.mkdir()
    config = tmp_path / 'tiny_classroomkd_dist.py'
    config.write_text(CONFIG.format(model=model, data=data, out=str(out)))
    work = tmp_path / 'work'

    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(
                   [REPO, os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), str(config), '2',
         '--work-dir', str(work), '--cfg-options',
         "env_cfg.dist_cfg.backend=gloo"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]

    ranks = [json.loads((out / f'rank{r}.json').read_text())
             for r in (0, 1)]
    for r, info in enumerate(ranks):
        assert info['rank'] == r and info['world_size'] == 2
        assert info['wrapper'] == 'MMDistributedDataParallel'
        # DDP synchronises the student's gradients and nothing of the
        # mentors: frozen (requires_grad False), they never join a bucket.
        assert info['mentor_params'] > 0
        assert info['mentor_params_synced'] == 0
        assert not info['mentors_require_grad']
        assert info['student_params_synced'] == info['student_params'] > 0
        assert info['synced_params'] == info['student_params']
        assert info['student_changed'] and not info['mentor_grads']
    # The student is the same on both ranks after training.
    states = [torch.load(str(out / f'rank{r}_student.pth'),
                         weights_only=True) for r in (0, 1)]
    assert states[0].keys() == states[1].keys()
    for key in states[0]:
        torch.testing.assert_close(states[0][key], states[1][key],
                                   rtol=0, atol=0, msg=key)
    # Only rank 0 writes the student-only checkpoints.
    assert ranks[0]['student_checkpoints_saved'] == [
        'iter_2_student.pth', 'iter_4_student.pth']
    assert ranks[1]['student_checkpoints_saved'] == []
    assert (work / 'iter_4_student.pth').is_file()
    student = torch.load(str(work / 'iter_4_student.pth'), weights_only=True)
    for key, value in states[0].items():
        torch.testing.assert_close(student['state_dict'][key], value)
