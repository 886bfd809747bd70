"""tools/benchmark_methods.py end to end on the SYNTHETIC pose smoke spec:
the classroom is trained once, every run goes through MMEngine's Runner and
CocoMetric, the report is written, and a second call trains nothing."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPEC = 'configs/benchmarks/pose_synthetic_smoke.py'
METHODS = ['nokd', 'kd', 'classroomkd']


def benchmark(work_dir, *methods):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run(
        [sys.executable, 'tools/benchmark_methods.py', SPEC, '--work-dir',
         work_dir, '--methods', *methods],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[
        -3000:]
    return result.stdout


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('pose_benchmark'))
    return work_dir, benchmark(work_dir, *METHODS)


def test_report_covers_every_method_and_the_classroom(finished):
    work_dir, stdout = finished
    for name in ('report.md', 'results.json', 'scores.png',
                 'diagnostics.png'):
        assert osp.isfile(osp.join(work_dir, name)), name
    with open(osp.join(work_dir, 'results.json')) as f:
        report = json.load(f)
    runs = {r['method']: r for r in report['runs']}
    assert set(runs) == set(METHODS)
    assert all(r['metric'] == 'coco/AP' and 0 <= r['score'] <= 100
               for r in runs.values())
    assert runs['nokd']['mentors'] == []
    scores = report['mentor_scores']
    assert runs['kd']['mentors'] == [max(scores, key=scores.get)]
    assert len(runs['classroomkd']['mentors']) == 5
    # per-mentor diagnostics were recorded over training
    assert any(k.startswith('classroom.r18c32.active_rate')
               for k in runs['classroomkd']['diagnostics']['history'])
    assert '| classroomkd |' in open(osp.join(work_dir, 'report.md')).read()


def test_second_call_reuses_everything(finished):
    work_dir, _ = finished
    results = [osp.join(work_dir, 'runs', m, 'seed_0', 'result.json')
               for m in METHODS]
    snapshot = osp.join(work_dir, 'classroom', 'r18c32',
                        'snapshot_epoch_2.pth')
    before = [os.stat(p).st_mtime_ns for p in results + [snapshot]]
    stdout = benchmark(work_dir, *METHODS)
    assert 'training mentor' not in stdout
    assert [os.stat(p).st_mtime_ns for p in results + [snapshot]] == before
