"""Every shipped benchmark spec loads, and every method of it becomes a
distiller config whose mentors resolve (nothing is trained or downloaded)."""
import glob
import os.path as osp

import pytest

from tests.helpers import REPO, SAMPLES
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
        if spec.methods[method].get('distiller'):
            check_host_distiller(spec, method, mentors, cfg)
            continue
        assert cfg.model.type == 'classroomkd_mm.ClassroomDistiller'
        assert sorted(cfg.model.mentors) == sorted(mentors)
        if mentors:
            assert cfg.model.policy['type'] and cfg.model.mentoring
        assert spec.method_seeds(method)


def check_host_distiller(spec, method, mentors, cfg):
    """A host distiller (mmpose's DWPose) gets its one teacher's config and
    checkpoint and the student config, with the run's options, as files."""
    assert cfg.model.type == spec.methods[method]['distiller']['type']
    assert cfg.model.teacher_cfg == mentor_config(spec, mentors[0])
    assert cfg.model.teacher_pretrained == mentor_checkpoint(spec,
                                                             mentors[0])
    student = load_config(cfg.model.student_cfg)
    expected = load_config(spec.student)
    expected.merge_from_dict(spec.student_options)
    assert student.model.to_dict() == expected.model.to_dict()
    assert student.train_dataloader.to_dict() == \
        expected.train_dataloader.to_dict()
    assert cfg.model.data_preprocessor == student.model.data_preprocessor


def test_host_distiller_takes_one_teacher(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    spec = load_spec(osp.join(REPO, 'configs', 'benchmarks',
                              'pose_synthetic_rtmpose_peers.py'),
                     work_dir=str(tmp_path))
    with pytest.raises(ValueError, match='takes one teacher'):
        method_config(spec, 'dwpose', list(spec.mentors))


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


HETEROGENEOUS = osp.join(REPO, 'configs', 'benchmarks',
                         'pose_synthetic_heterogeneous.py')
MIXED = ['feet23', 'hm128', 'simcc_e4', 'feet23_e2', 'simcc_e2']


def test_a_spec_mentor_carries_its_keypoint_mapping(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    spec = load_spec(HETEROGENEOUS, work_dir=str(tmp_path))
    cfg = method_config(spec, 'classroomkd_mixed', MIXED)
    coco = [(i, i) for i in range(17)]
    for name in ('feet23', 'feet23_e2'):
        assert cfg.model.mentors[name]['keypoint_mapping'] == coco
    for name in ('hm128', 'simcc_e4'):
        assert 'keypoint_mapping' not in cfg.model.mentors[name]
    homogeneous = method_config(spec, 'classroomkd',
                                spec.methods['classroomkd']['mentors'])
    assert not any('keypoint_mapping' in m
                   for m in homogeneous.model.mentors.values())


@pytest.mark.usefixtures('mmpose_scope')
def test_heterogeneous_spec_classrooms(tmp_path, monkeypatch):
    """Every run of the spec reads the figures with feet; the homogeneous
    classroom has the student's output space, and every mentor of the mixed
    one is bridged: another keypoint set, input size or head family."""
    from mmpose.registry import MODELS
    from classroomkd_mm.models.bridges.mentor_bridge import MentorBridge
    from classroomkd_mm.models.bridges.output_space import \
        describe_pose_output
    monkeypatch.chdir(REPO)
    spec = load_spec(HETEROGENEOUS, work_dir=str(tmp_path))
    root = 'data/generated/synthetic_figures_feet/'
    assert spec.prepare_data['kwargs'] == dict(root=root, feet=True)
    student_cfg = method_config(spec, 'nokd', []).model.student
    student = describe_pose_output('The student', MODELS.build(student_cfg))
    bridges = {}
    for name in spec.mentors:
        cfg = load_config(mentor_config(spec, name))
        for split in ('train', 'val', 'test'):
            assert cfg[f'{split}_dataloader'].dataset.data_root == root
        mentor = describe_pose_output(name, MODELS.build(cfg.model))
        bridges[name] = MentorBridge(
            name, mentor, student, spec.mentors[name].get('keypoint_mapping'))
    assert all(bridges[m].is_identity
               for m in spec.methods['classroomkd']['mentors'])
    assert spec.methods['classroomkd_mixed']['mentors'] == MIXED
    feet23, hm128, simcc = bridges['feet23'], bridges['hm128'], \
        bridges['simcc_e4']
    assert feet23.mentor_space.num_keypoints == 23 and \
        feet23.maps_keypoints and not feet23.partial
    assert hm128.mentor_space.input_size == (96, 128) and \
        hm128.mentor_space.family == 'heatmap'
    assert simcc.mentor_space.family == 'simcc'
    assert not any(bridges[m].is_identity for m in MIXED)


@pytest.mark.usefixtures('mmpose_scope')
def test_pose_skipping_spec_packs_sample_idx(tmp_path, monkeypatch):
    """Mentor skipping keys its cache by ``sample_idx``, which mmpose's
    PackPoseInputs keeps only when named: the skipping spec's student
    training pipeline, run on the bundled COCO samples, packs it beside what
    the default PackPoseInputs packs, and nothing else; only the skipping
    methods skip."""
    from mmpose.registry import DATASETS
    from classroomkd_mm.models.classroom.mentor_skipping import \
        sample_indices
    monkeypatch.chdir(REPO)
    spec = load_spec(osp.join(REPO, 'configs', 'benchmarks',
                              'pose_synthetic_skipping.py'),
                     work_dir=str(tmp_path))
    skipping = {m: spec.methods[m].get('distiller_options', {}).get(
        'mentor_skipping') for m in spec.methods}
    assert skipping == dict(
        classroomkd=None,
        classroomkd_skip_m0=dict(margin=0.0, reprobe_fraction=0.1),
        classroomkd_skip=dict(margin=1.0, reprobe_fraction=0.1))
    cfg = method_config(spec, 'classroomkd_skip', spec.methods[
        'classroomkd_skip']['mentors'])
    assert cfg.train_dataloader.dataset.pipeline[-1].type == 'PackPoseInputs'

    def packed(pipeline):
        dataset_cfg = cfg.train_dataloader.dataset.to_dict()
        dataset_cfg.update(
            data_root=osp.join(SAMPLES, 'coco'), ann_file='test_coco.json',
            data_prefix=dict(img=''), pipeline=pipeline)
        dataset = DATASETS.build(dataset_cfg)
        return [dataset[i]['data_samples'] for i in (2, 0)]

    pipeline = cfg.train_dataloader.dataset.to_dict()['pipeline']
    samples = packed(pipeline)
    assert sample_indices(samples) == [2, 0]
    default = packed(pipeline[:-1] + [dict(type='PackPoseInputs')])
    assert set(samples[0].metainfo) == set(default[0].metainfo) | {
        'sample_idx'}
