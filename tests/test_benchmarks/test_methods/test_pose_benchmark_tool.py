"""tools/benchmark_methods.py end to end on the SYNTHETIC pose smoke spec:
the classroom is trained once, every run goes through MMEngine's Runner and
CocoMetric, two worker processes share the runs, the report is written, and
a second call trains nothing."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # subprocess runs

SPEC = 'configs/benchmarks/pose_synthetic_smoke.py'
METHODS = ['nokd', 'kd', 'classroomkd']


def benchmark(work_dir, *methods, workers=1):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run(
        [sys.executable, 'tools/benchmark_methods.py', SPEC, '--work-dir',
         work_dir, '--workers', str(workers), '--methods', *methods],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[
        -3000:]
    return result.stdout


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('pose_benchmark'))
    return work_dir, benchmark(work_dir, *METHODS, workers=2)


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


def test_two_workers_share_the_work(finished):
    """Each mentor training and each run was done once, by one of the two
    processes (a Runner writes one timestamped log folder per start; the
    mentors' engine exports are cached in ``mentor_engine`` beside them)."""
    work_dir, stdout = finished
    helper = open(osp.join(work_dir, 'worker_1.log')).read()
    trainings = stdout.count('training mentor') + helper.count(
        'training mentor')
    assert trainings == 2   # r18c32 and r18c16, once each
    for method in METHODS:
        run_dir = osp.join(work_dir, 'runs', method, 'seed_0')
        starts = [d for d in os.listdir(run_dir)
                  if osp.isdir(osp.join(run_dir, d)) and d != 'mentor_engine']
        assert len(starts) == 1, (method, starts)


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
