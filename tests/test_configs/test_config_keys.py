"""Every Runner config in configs/classification and configs/pose loads,
dumps and reloads to the same config, and its top-level keys are ones the
Runner or the host's own configs use: no helper variable (``student = ...``,
``_zoo = ...``) leaks into the dumped config. (MMEngine dumps every
top-level name of a config file, ``_``-prefixed ones included.)"""
import ast
import glob
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

from tests.helpers import REPO
from classroomkd_mm.utils.config_files import load_config

CONFIGS = sorted(
    p for folder in ('classification', 'pose')
    for p in glob.glob(osp.join(REPO, 'configs', folder, '**', '*.py'),
                       recursive=True))
#: what ``Runner.from_cfg`` and MMEngine's Config read
RUNNER_KEYS = {
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'custom_imports',
    # configs/_base_/classroomkd_runtime.py: the project's hooks, which every
    # shipped config adds to default_hooks (MMEngine dumps the base's key)
    'classroomkd_hooks',
}
#: names that OpenMMLab configs share between several entries
HOST_KEYS = {'codec', 'data_root', 'dataset_type', 'data_mode',
             'backend_args', 'train_pipeline', 'val_pipeline',
             'test_pipeline', 'vis_backends'}


def upstream_keys(path):
    """Top-level keys of the installed host configs (``pkg::...``) that
    ``path`` inherits, through the project's own ``_base_`` files."""
    keys = set()
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            bases = ast.literal_eval(node.value)
            for base in [bases] if isinstance(bases, str) else bases:
                if '::' in base:
                    keys |= set(load_config(base).keys())
                else:
                    keys |= upstream_keys(
                        osp.normpath(osp.join(osp.dirname(path), base)))
    return keys


def test_configs_are_found():
    names = {osp.basename(p) for p in CONFIGS}
    assert len(CONFIGS) > 15
    assert 'lenet5_1xb32-20e_digits-30pc.py' in names


@pytest.mark.parametrize('path', CONFIGS,
                         ids=lambda p: osp.relpath(p, REPO))
def test_config_dumps_without_stray_keys(path, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    if '/pose/' in path and importlib.util.find_spec('mmpose') is None:
        pytest.skip('pose configs inherit mmpose configs; mmpose is absent')
    cfg = Config.fromfile(path)
    dumped = str(tmp_path / 'dumped.py')
    cfg.dump(dumped)
    again = Config.fromfile(dumped)
    assert again.to_dict() == cfg.to_dict()
    stray = set(again) - RUNNER_KEYS - HOST_KEYS - upstream_keys(path)
    assert not stray, f'{osp.relpath(path, REPO)} dumps helper keys ' \
        f'{sorted(stray)}; inline them or use _base_.<name>'


def test_a_helper_variable_is_caught(tmp_path):
    path = tmp_path / 'helper.py'
    path.write_text("_base_ = ['mmpretrain::_base_/default_runtime.py']\n"
                    "student = dict(type='ImageClassifier')\n"
                    'model = student\n')
    cfg = Config.fromfile(str(path))
    assert set(cfg) - RUNNER_KEYS - HOST_KEYS - upstream_keys(
        str(path)) == {'student'}
