"""The benchmark trains and tests through ``classroomkd_mm.apis.
train_and_test`` with ``resume=True``: an interrupted mentor training or run
resumes from its last checkpoint with the hooks ``prepare_runner_config``
adds (the random-generator hook among them; tests/test_apis checks that such
a resume repeats the uninterrupted run). Nothing is trained here."""
import os.path as osp

import pytest

from tests.helpers import REPO
from benchmarks.methods import load_spec, runs
from classroomkd_mm.hooks import (DiagnosticsRecorder, SnapshotExporter,
                                  snapshot_path)



@pytest.fixture
def calls(monkeypatch):
    """Replace the Runner call: record the arguments, write the snapshots
    the hooks would, return a score."""
    recorded = []

    def fake_train_and_test(cfg, work_dir, **kwargs):
        recorded.append(dict(cfg=cfg, work_dir=work_dir, **kwargs))
        for hook in kwargs.get('hooks', ()):
            if isinstance(hook, SnapshotExporter):
                for epoch in hook.epochs:
                    path = snapshot_path(work_dir, epoch)
                    open(path, 'w').close()
        return {'accuracy/top1': 50.0}

    monkeypatch.setattr(runs, 'train_and_test', fake_train_and_test)
    return recorded


def test_mentor_trainings_and_runs_resume_through_train_and_test(
        tmp_path, monkeypatch, calls):
    monkeypatch.chdir(REPO)
    spec = load_spec(osp.join(REPO, 'configs', 'benchmarks',
                              'digits_smoke.py'), work_dir=str(tmp_path))
    scores = runs.train_classroom(spec, progress=lambda *_: None)
    trainings = [c for c in calls if c.get('train', True)]
    evaluations = [c for c in calls if not c.get('train', True)]
    assert len(trainings) == len(spec.trainings)
    assert all(c['resume'] is True for c in trainings)
    assert len(evaluations) == len(spec.mentors) == len(scores)
    assert all(c['load_from'] for c in evaluations)

    calls.clear()
    result = runs.run_method(spec, 'classroomkd', 0, scores)
    (run,) = calls
    assert run['resume'] is True and run.get('train', True)
    assert run['seed'] == 0
    assert any(isinstance(h, DiagnosticsRecorder) for h in run['hooks'])
    assert run['cfg'].model.type == 'classroomkd_mm.ClassroomDistiller'
    assert result['score'] == 50.0
    # a finished run is read back, not run again
    assert runs.run_method(spec, 'classroomkd', 0, scores) == result
    assert len(calls) == 1
