"""Every shipped Runner config carries the project's hooks (the work-dir
lock, the student-only checkpoint, the random generators' state, the
mentors' sha256) through
configs/_base_/classroomkd_runtime.py, so MMPose's and MMPretrain's own
tools/train.py train them as the project's tools/train.py does; and
``prepare_runner_config`` never adds a hook a config already has."""
import glob
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

from classroomkd_mm.apis import prepare_runner_config
from classroomkd_mm.apis.runner_config import runtime_hooks
from tests.helpers import REPO

CONFIGS = sorted(
    p for folder in ('classification', 'pose')
    for p in glob.glob(osp.join(REPO, 'configs', folder, '**', '*.py'),
                       recursive=True))
HOOKS = {'WorkDirLockHook', 'StudentCheckpointHook', 'RngStateHook',
         'MentorChecksumHook'}


def hook_types(cfg):
    hooks = [*(cfg.get('default_hooks') or {}).values(),
             *(cfg.get('custom_hooks') or [])]
    return [h['type'].split('.')[-1] for h in hooks
            if isinstance(h, dict) and 'type' in h]


def test_the_runtime_config_names_the_three_hooks():
    assert {h['type'].split('.')[-1] for h in runtime_hooks().values()} == \
        HOOKS


@pytest.mark.parametrize('path', CONFIGS,
                         ids=lambda p: osp.relpath(p, REPO))
def test_shipped_config_carries_the_project_hooks(path, monkeypatch):
    monkeypatch.chdir(REPO)
    if importlib.util.find_spec('mmpose') is None and (
            '/pose/' in path or 'pose' in osp.basename(path)):
        pytest.skip('pose configs inherit mmpose configs; mmpose is absent')
    cfg = Config.fromfile(path)
    types = hook_types(cfg)
    assert HOOKS <= set(types), (osp.relpath(path, REPO), types)
    prepared = prepare_runner_config(cfg, training=True)
    types = hook_types(prepared)
    assert sorted(types) == sorted(set(types)), types  # nothing twice


def test_prepare_adds_the_hooks_once_to_a_config_without_them():
    cfg = Config(dict(model=dict(type='classroomkd_mm.ClassroomDistiller'),
                      custom_hooks=[dict(type='RngStateHook')]))
    cfg = prepare_runner_config(cfg, training=True)
    assert sorted(hook_types(cfg)) == sorted(HOOKS)
    again = prepare_runner_config(cfg, training=True)
    assert sorted(hook_types(again)) == sorted(HOOKS)
    plain = prepare_runner_config(
        Config(dict(model=dict(type='ImageClassifier'))), training=True)
    assert hook_types(plain) == ['WorkDirLockHook']


def test_evaluation_drops_the_lock_of_a_dumped_training_config():
    cfg = Config(dict(model=dict(type='ImageClassifier'),
                      default_hooks=runtime_hooks()))
    cfg = prepare_runner_config(cfg, training=False)
    assert sorted(hook_types(cfg)) == sorted(HOOKS - {'WorkDirLockHook'})
