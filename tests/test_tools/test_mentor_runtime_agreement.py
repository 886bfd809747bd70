"""tools/mentor_runtime_agreement.py: it reads the student of a finished run
only (a run without a result or whose checkpoint record is stale is an
error naming the fix), and each compared method's ``mentor_runtime`` from
the spec, engines with a cache in the tool's folder."""
import os.path as osp

import pytest

from benchmarks.methods import load_spec
from tests.helpers import REPO
from tests.helpers.tiny_runs import load_tool

SPEC = osp.join(REPO, 'configs', 'benchmarks', 'digits_mentor_runtime.py')


def test_only_a_finished_run_with_a_checkpoint_is_read(tmp_path):
    tool = load_tool('mentor_runtime_agreement')
    with pytest.raises(FileNotFoundError, match='not finished'):
        tool.finished_checkpoint(str(tmp_path))
    (tmp_path / 'result.json').write_text('{}')
    with pytest.raises(FileNotFoundError, match='cannot be read'):
        tool.finished_checkpoint(str(tmp_path))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'gone.pth'))
    with pytest.raises(FileNotFoundError, match='not a file'):
        tool.finished_checkpoint(str(tmp_path))
    checkpoint = tmp_path / 'epoch_10.pth'
    checkpoint.write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(f'{checkpoint}\n')
    assert tool.finished_checkpoint(str(tmp_path)) == str(checkpoint)


def test_runtimes_come_from_the_spec(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    tool = load_tool('mentor_runtime_agreement')
    spec = load_spec(SPEC, work_dir=str(tmp_path))
    cache = str(tmp_path / 'engine')
    assert tool.method_runtime(spec, 'classroomkd', cache) == dict(
        engine='eager')
    assert tool.method_runtime(spec, 'classroomkd_ort', cache) == dict(
        engine='onnxruntime', cache_dir=cache)
    assert tool.method_runtime(spec, 'classroomkd_ov_bf16', cache) == dict(
        engine='openvino', precision='bf16', cache_dir=cache)
    assert tool.method_runtime(spec, 'classroomkd_ov_bf16_skip_m0',
                               cache)['cache_dir'] == cache
    # --tolerance: the compared runtimes' check, never the eager reference's
    assert tool.method_runtime(spec, 'classroomkd_ort', cache, 0.1)[
        'tolerance'] == 0.1
    assert tool.method_runtime(spec, 'classroomkd', cache, 0.1) == dict(
        engine='eager')
    with pytest.raises(KeyError, match='not a method'):
        tool.method_runtime(spec, 'classroomkd_trt', cache)
