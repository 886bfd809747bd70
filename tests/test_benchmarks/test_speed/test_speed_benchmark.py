"""The speed benchmark's machinery on tiny classifiers: cases, interleaved
timing, the sub-step probe, peak memory, the sync audit and the report."""
import pytest
import json

import torch

from tests.helpers.tiny_classifiers import classifier_cfg, save_checkpoint

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def tiny_setting(tmp_path):
    from mmpretrain.structures import DataSample

    from benchmarks.speed.settings import Setting
    mentors = {}
    for i, width in enumerate((8, 6)):
        path = str(tmp_path / f'm{i}.pth')
        save_checkpoint(classifier_cfg(width), path, seed=i)
        mentors[f'm{i}'] = dict(model=classifier_cfg(width), checkpoint=path)
    g = torch.Generator().manual_seed(0)
    batch = dict(
        inputs=[torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8,
                              generator=g) for _ in range(6)],
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(6)])
    return Setting('tiny', classifier_cfg(4), mentors, batch, 'tiny')


def test_cpu_peak_memory_counts_torch_allocations():
    from benchmarks.speed.peak_memory import _cpu_transient_peak

    def step():
        a = torch.ones(2**18)  # 1 MiB
        b = torch.ones(2**18)
        del a, b
        c = torch.ones(2**17)
        del c

    assert _cpu_transient_peak(step) == 2 * 2**20


def test_benchmark_pieces_and_report(tmp_path):
    from benchmarks.speed import loss_syncs
    from benchmarks.speed.cases import build_cases, mentor_names
    from benchmarks.speed.peak_memory import step_memory
    from benchmarks.speed.speed_report import analyse, write_report
    from benchmarks.speed.substep_probe import probe_step
    from benchmarks.speed.timing import interleaved_times, median

    setting = tiny_setting(tmp_path)
    cases = build_cases(setting, (1, 2))
    assert [c.name for c in cases] == [
        'student', 'mentor:m0', 'mentor:m1', 'classroomkd@1',
        'classroomkd@2', 'aver@1', 'aver@2']
    # Distillers share the mentor modules: each is held once.
    d1, d2 = cases[3].distiller, cases[4].distiller
    assert d1.classroom.mentor('m0') is d2.classroom.mentor('m0')
    times, walls, system, faults = interleaved_times(
        cases, 1, 2, log=lambda msg: None)
    assert all(len(v) == 2 and min(v) > 0 for v in times.values())
    raw = dict(setting='tiny', description='tiny', batch_size=6,
               device='cpu', threads=torch.get_num_threads(), iters=2,
               warmup=1, counts=[1, 2], policies=['classroomkd', 'aver'],
               mentors=mentor_names(cases), times=times, wall_times=walls,
               median={k: median(v) for k, v in times.items()},
               wall_median={k: median(v) for k, v in walls.items()},
               sys_median={k: median(v) for k, v in system.items()},
               faults_median={k: median(v) for k, v in faults.items()})
    probe = probe_step(cases[4], steps=1)
    for key in ('forward.student', 'forward.mentors', 'ranking',
                'mentoring', 'mentoring_fwd_bwd', 'step'):
        assert probe[key] > 0, key
    assert 0 < probe['overhead_share'] < 1
    # The probe leaves the distiller as it found it.
    assert 'policy' in vars(d2) and '_diagnostics' not in vars(d2)
    assert 'forward' not in vars(d2.adapter)
    raw['substeps'] = {c.name: probe_step(c, 1) for c in cases
                       if c.kind == 'distiller'}
    raw['memory'] = {c.name: step_memory(c) for c in cases}
    assert raw['memory']['classroomkd@2']['persistent'] > \
        raw['memory']['student']['persistent']
    assert all(m['transient_peak'] > 0 for m in raw['memory'].values())
    raw['syncs'] = {c.name: dict(loss_syncs(c.distiller, c.batch))
                    for c in cases if c.kind == 'distiller'}
    derived = analyse(raw)
    assert set(derived['ratio']) == {'classroomkd@1', 'classroomkd@2',
                                     'aver@1', 'aver@2'}
    assert derived['targets']['no_per_mentor_sync'] is True
    assert derived['targets']['memory'] is True
    md, js = str(tmp_path / 'speed.md'), str(tmp_path / 'speed.json')
    write_report(dict(settings=[dict(raw=raw, derived=derived)]), md, js,
                 '# header')
    text = open(md).read()
    assert 'classroomkd step, 2 mentors' in text and 'Targets:' in text
    assert 'Kernel time per step' in text
    assert json.load(open(js))['settings'][0]['raw']['setting'] == 'tiny'


def test_probe_times_the_bridges_of_a_heterogeneous_pose_classroom(
        tmp_path):
    """Bridged pose mentors (another input size, another head family): the
    probe times the crop resize and the outputs' conversion as ``bridge``,
    the mentors' own passes as ``forward.mentors``, and leaves the bridges
    as it found them."""
    pytest.importorskip('mmpose')
    from mmpose.utils import register_all_modules

    from benchmarks.speed.cases import build_cases
    from benchmarks.speed.settings import Setting, pose_batch
    from benchmarks.speed.substep_probe import probe_step
    from classroomkd_mm.models.bridges import mentor_bridge
    from tests.helpers.pose_models import (CODEC_128x96, heatmap_model, save,
                                           simcc_model)
    register_all_modules()
    codec_256 = dict(CODEC_128x96, input_size=(192, 256),
                     heatmap_size=(48, 64))
    mentors = dict(hm256=heatmap_model(codec=codec_256),
                   simcc=simcc_model())
    mentors = {name: dict(model=cfg, checkpoint=save(
        cfg, str(tmp_path / f'{name}.pth'), i))
        for i, (name, cfg) in enumerate(mentors.items())}
    setting = Setting('tiny_pose', heatmap_model(), mentors,
                      pose_batch(CODEC_128x96, 2), 'tiny bridged pose')
    cases = build_cases(setting, (2, ), policies=('classroomkd', ))
    assert [c.name for c in cases] == [
        'student', 'mentor:hm256', 'mentor:simcc', 'classroomkd@2']
    for case in cases[1:3]:   # each mentor alone, at its own input size
        case.run()
    distiller = cases[3].distiller
    assert sorted(distiller.classroom.bridges) == ['hm256', 'simcc']
    assert not any(b.is_identity for b in distiller.classroom.bridges.values())
    probe = probe_step(cases[3], steps=1)
    for key in ('forward.student', 'forward.mentors', 'bridge', 'step'):
        assert probe[key] > 0, key
    assert 0 < probe['bridge_share'] < 1
    assert probe['bridge'] + probe['forward.mentors'] < probe['step']
    resize = mentor_bridge.resize_crop
    assert resize.__module__.endswith('crop_resize')
    assert not any({'mentor_forward', 'to_student_space'} & set(vars(b))
                   for b in distiller.classroom.bridges.values())
