"""Two CPU processes through the real launcher (torchrun, MMEngine's
`pytorch` launcher) train a tiny ClassroomKD config for a few iterations:
through tools/dist_train.sh, which needs nothing in the config for a CPU
(classroomkd_mm.utils.cpu_distributed picks gloo and a CPU DDP wrapper), and
through MMPose's own tools/train.py with the three config lines
docs/installing.md gives."""
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
    imports=['classroomkd_mm', 'tests.helpers.dist_probe_hook'{extra_import}],
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
_base_ = [{runtime!r}]
default_hooks = dict(
    _base_.classroomkd_hooks,
    checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
    logger=dict(type='LoggerHook', interval=1))
custom_hooks = [dict(type='DistProbeHook', out_dir={out!r})]
randomness = dict(seed=0)
'''
# What a config adds for a CPU launch through a host's own tools/train.py
# (docs/installing.md); the project's tools/train.py needs none of it.
HOST_ENTRY_CPU_LINES = '''
env_cfg = dict(dist_cfg=dict(backend='gloo'))
model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                         device_ids=None, broadcast_buffers=False)
'''
CPU_DISTRIBUTED = ", 'classroomkd_mm.utils.cpu_distributed'"


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


needs_gloo = pytest.mark.skipif(
    not torch.distributed.is_available()
    or not torch.distributed.is_gloo_available()
    or shutil.which('bash') is None,
    reason='needs torch.distributed with gloo, and bash')


def write_run(tmp_path, host_entry):
    """The tiny two-mentor config (for a host's own train.py with the CPU
    lines of docs/installing.md), its probe folder and work dir."""
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
    text = CONFIG.format(
        model=model, data=data, out=str(out),
        runtime=osp.join(REPO, 'configs', '_base_', 'classroomkd_runtime.py'),
        extra_import=CPU_DISTRIBUTED if host_entry else '')
    config.write_text(text + (HOST_ENTRY_CPU_LINES if host_entry else ''))
    return str(config), out, tmp_path / 'work'


def launch(command):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(
                   [REPO, os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return env['PORT']


def check_ranks(out, work):
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


@needs_gloo
def test_two_process_training_with_the_project_launcher(tmp_path):
    """tools/dist_train.sh: torchrun, tools/train.py --launcher pytorch; the
    config says nothing about CPUs."""
    config, out, work = write_run(tmp_path, host_entry=False)
    launch(['bash', osp.join(REPO, 'tools', 'dist_train.sh'), config, '2',
            '--work-dir', str(work)])
    check_ranks(out, work)


@needs_gloo
def test_two_process_training_with_mmpose_own_train_py(tmp_path):
    """torchrun on MMPose's own tools/train.py: the config imports
    classroomkd_mm.utils.cpu_distributed and sets the backend and wrapper."""
    mmpose = pytest.importorskip('mmpose')
    train_py = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools',
                        'train.py')
    config, out, work = write_run(tmp_path, host_entry=True)
    launch([sys.executable, '-m', 'torch.distributed.run',
            '--nproc_per_node', '2', '--master_port', str(free_port()),
            train_py, config, '--launcher', 'pytorch',
            '--work-dir', str(work)])
    check_ranks(out, work)
