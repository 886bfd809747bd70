"""Every shipped benchmark spec loads, and every method of it becomes a
distiller config whose mentors resolve (nothing is trained or downloaded)."""
import glob
import os.path as osp

import pytest

from tests.helpers import REPO
from benchmarks.methods import load_spec
from benchmarks.methods.runs import (mentor_checkpoint, mentor_config,
                                     method_config)
from classroomkd_mm.utils.config_files import load_config

SPECS = sorted(glob.glob(osp.join(REPO, 'configs', 'benchmarks', '*.py')))


def test_paper_scale_specs_are_shipped():
    names = {osp.basename(p) for p in SPECS}
    assert {'cifar100_methods.py', 'coco_methods.py', 'digits_methods.py',
            'pose_synthetic_methods.py'} <= names


@pytest.mark.parametrize('path', SPECS, ids=osp.basename)
def test_every_method_builds_a_distiller_config(path, tmp_path,
                                                monkeypatch):
    monkeypatch.chdir(REPO)
    spec = load_spec(path, work_dir=str(tmp_path))
    scores = {m: float(i) for i, m in enumerate(spec.mentors)}
    for mentor in spec.mentors:
        assert load_config(mentor_config(spec, mentor)).model.type
        assert mentor_checkpoint(spec, mentor)
    for method in spec.methods:
        mentors = spec.method_mentors(method, scores)
        cfg = method_config(spec, method, mentors)
        assert cfg.model.type == 'classroomkd_mm.ClassroomDistiller'
        assert sorted(cfg.model.mentors) == sorted(mentors)
        if mentors:
            assert cfg.model.policy['type'] and cfg.model.mentoring
        assert spec.method_seeds(method)


def test_pretrained_mentor_needs_config_and_checkpoint(tmp_path):
    spec = tmp_path / 'spec.py'
    spec.write_text(
        "name = 'x'\nstudent = 's.py'\nmetric = 'm'\nseeds = [0]\n"
        "trainings = dict()\n"
        "mentors = dict(zoo=dict(config='mmpretrain::a.py'))\n"
        "methods = dict(nokd=dict(mentors=[]))\n")
    with pytest.raises(ValueError, match='needs both `config` and '
                       '`checkpoint`'):
        load_spec(str(spec))


def test_heldout_pose_spec_reads_only_the_seed_1_figures(tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(REPO)
    spec = load_spec(osp.join(REPO, 'configs', 'benchmarks',
                              'pose_synthetic_heldout.py'),
                     work_dir=str(tmp_path))
    root = 'data/generated/synthetic_figures_seed1/'
    assert spec.prepare_data['kwargs'] == dict(root=root, seed=1)
    configs = [method_config(spec, 'classroomkd', ['r18c32'])]
    configs += [load_config(mentor_config(spec, m)) for m in spec.mentors]
    for cfg in configs:
        for split in ('train', 'val', 'test'):
            assert cfg[f'{split}_dataloader'].dataset.data_root == root
        for split in ('val', 'test'):
            assert cfg[f'{split}_evaluator'].ann_file.startswith(root)
