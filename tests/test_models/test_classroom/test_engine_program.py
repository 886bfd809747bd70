"""Frozen mentors on an inference engine (engine_program.py): the export
computes what the eager mentor does (head outputs and features, any batch
size), a mentor that branches on its batch is refused, the ONNX cache is
reused, never trusted when broken and verified again before a session is
opened again, and its errors name the file, the mentor and the option."""
import copy
import json
import logging
import os
import pickle

import pytest
import torch
import torch.nn as nn
from tests.helpers.mentor_modules import (MENTORS, BranchingMentor,
                                          adapter_forward, classifier,
                                          heatmap, module_forward)

from classroomkd_mm.models.classroom import engine_program, mentor_program
from classroomkd_mm.models.classroom.engine_program import (
    EngineProgram, onnxruntime_providers)
from classroomkd_mm.models.classroom.mentor_program import (
    MentorNotExportable, ProgramOptions, largest_relative_difference)
from classroomkd_mm.models.classroom.program_builder import build_program

pytest.importorskip('onnxruntime')


def _build(name, model, x, tmp_path, forward=adapter_forward, **options):
    options.setdefault('engine', 'onnxruntime')
    return build_program(name, model, forward, 'adapter', ProgramOptions(
        cache_dir=str(tmp_path / 'cache'), **options), x)


def _close(a, b, tol=1e-4):
    leaves_a = torch.utils._pytree.tree_leaves(a)
    leaves_b = torch.utils._pytree.tree_leaves(b)
    assert len(leaves_a) == len(leaves_b)
    for x, y in zip(leaves_a, leaves_b):
        assert x.shape == y.shape and y.dtype == torch.float32
        assert torch.allclose(x, y, rtol=tol,
                              atol=tol * x.abs().max().item())


@pytest.mark.parametrize('mentor', sorted(MENTORS))
@pytest.mark.parametrize('engine', ['onnxruntime', 'openvino'])
def test_engine_equals_eager_outputs_and_features_at_any_batch(
        mentor, engine, tmp_path, logs):
    pytest.importorskip(engine)
    build, shape = MENTORS[mentor]
    model = build()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(*shape)
    program, first = _build('m', model, x, tmp_path, engine=engine)
    assert isinstance(program, EngineProgram)
    assert program.kind == engine and not program.needs_module
    with torch.no_grad():
        _close(adapter_forward(model, x), first)
        # sub-batches (mentor skipping) on the same program: dynamic batch
        for rows in (x[:1], x[1:3], torch.randn(7, *shape[1:])):
            _close(adapter_forward(model, rows), program(rows))
    outputs, features = first
    assert isinstance(features, tuple) and len(features) >= 1
    assert program.report['max_relative_difference'] < 1e-5
    [(level, message)] = logs
    assert level == logging.INFO and message == program.describe()
    assert f"Mentor 'm': {engine}" in message
    after = model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in state.items())


def test_a_mentor_branching_on_its_batch_is_refused(tmp_path, logs):
    """``if inputs.abs().mean() > t``: every check on one batch passes
    (the first batch, one sample of it, the negated batch), so the tracer's
    warning, confirmed by torch.export, refuses it: an explicit engine is an
    error naming the mentor and the fix, 'auto' runs it eagerly with one
    warning line and gets the branch of every batch right."""
    model = BranchingMentor(threshold=0.5)
    x = torch.randn(2, 3, 8, 8)  # abs().mean() ~ 0.8: the first branch
    for engine in ('onnxruntime', 'openvino'):
        if not mentor_program.engine_installed(engine):
            continue
        with pytest.raises(RuntimeError, match=(
                rf"(?s)Mentor 'branchy' does not run on {engine}: its "
                r'forward turns a tensor into a Python value .*Python '
                r"boolean.*mentor_modules.py.*engine='eager'")):
            _build('branchy', model, x, tmp_path, module_forward,
                   engine=engine)
    program, outputs = _build('branchy', model, x, tmp_path, module_forward,
                              engine='auto')
    assert program.kind == 'eager'
    quiet = x * 0.1  # abs().mean() ~ 0.08: the other branch
    assert torch.equal(program(quiet)[0], -3 * model.conv(quiet).mean((2, 3)))
    warnings = [m for level, m in logs if level == logging.WARNING]
    assert len(warnings) == 1 and len(logs) == 1
    assert "Mentor 'branchy' does not run on onnxruntime" in warnings[0]
    assert 'runs eagerly' in warnings[0]


class _ShapeTest(nn.Module):
    """Tests its input's size as mmcv's deconvolution wrapper does
    (``x.numel() == 0``; mmcv-lite's warns in the pinned stack)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        if x.numel() == 0:
            return x.new_zeros(x.shape[0], 4), ()
        return self.conv(x).mean((2, 3)), ()


def test_a_shape_test_is_not_refused(tmp_path):
    """The tracer warns about ``x.numel() == 0`` as about a branch on data;
    torch.export shows it depends on the shape only."""
    model = _ShapeTest().eval()
    x = torch.randn(2, 3, 8, 8)
    program, out = _build('shape', model, x, tmp_path, module_forward)
    assert program.kind == 'onnxruntime'
    assert program.report['trace_warnings'] == 1
    _close(model(x), out)


@torch.library.custom_op('classroomkd_tests::twice', mutates_args=())
def _twice(x: torch.Tensor) -> torch.Tensor:
    """A custom op with no ONNX symbolic."""
    return x * 2


@_twice.register_fake
def _(x):
    return torch.empty_like(x)


class _CustomOp(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return _twice(self.conv(x)), ()


def test_an_op_without_onnx_is_an_error_or_eager(tmp_path, logs):
    model = _CustomOp().eval()
    x = torch.randn(2, 3, 8, 8)
    with pytest.raises(RuntimeError, match="(?s)Mentor 'odd' does not run "
                       "on onnxruntime: .*classroomkd_tests::twice"):
        _build('odd', model, x, tmp_path, module_forward)
    program, out = _build('odd', model, x, tmp_path, module_forward,
                          engine='auto')
    assert program.kind == 'eager' and torch.equal(out[0], model(x)[0])


def test_independent_batch_catches_a_program_frozen_on_the_first(
        tmp_path, monkeypatch):
    """Were the conversion warning missed, the independent batch (the first
    reversed and halved) still tells the frozen branch."""
    monkeypatch.setattr(engine_program, 'conversions', lambda w: [])
    model = BranchingMentor(threshold=0.6)
    x = torch.randn(2, 3, 8, 8)  # ~0.8, halved ~0.4: the other branch
    with pytest.raises(RuntimeError, match='on an independent batch'):
        _build('frozen', model, x, tmp_path, module_forward)


def test_cache_is_reused_and_never_trusted_when_broken(tmp_path, exports):
    model = classifier()
    x = torch.randn(2, 3, 32, 32)

    def build():
        program, out = _build('m', model, x, tmp_path)
        _close(adapter_forward(model, x), out)
        return program.report

    first = build()
    path = first['path']
    sidecar = path[:-len('.onnx')] + '.json'
    assert first['exported'] and exports == ['m']
    mtime = os.stat(path).st_mtime_ns
    second = build()  # a second run / --resume: no export
    assert not second['exported'] and exports == ['m']
    assert second['path'] == path and os.stat(path).st_mtime_ns == mtime
    with open(path, 'r+b') as f:  # truncated
        f.truncate(os.path.getsize(path) // 2)
    assert build()['exported'] and len(exports) == 2
    meta = json.load(open(sidecar))  # a sidecar of another key
    json.dump(dict(meta, key='0' * 64), open(sidecar, 'w'))
    assert build()['exported'] and len(exports) == 3
    open(sidecar, 'w').write('{not json')  # unreadable
    assert build()['exported'] and len(exports) == 4
    assert not build()['exported'] and len(exports) == 4


def test_new_weights_are_a_new_cache_entry(tmp_path, exports):
    model = classifier()
    x = torch.randn(2, 3, 32, 32)
    _build('m', model, x, tmp_path)
    with torch.no_grad():
        model.head.fc.bias.add_(1.0)
    program, out = _build('m', model, x, tmp_path)
    _close(adapter_forward(model, x), out)
    assert len(exports) == 2 and program.report['exported']


@pytest.mark.parametrize('change', ['deepcopy', 'pickle', 'threads'])
def test_the_file_is_verified_again_before_a_session_is_reopened(
        tmp_path, change):
    model = classifier()
    x = torch.randn(2, 3, 32, 32)
    program, first = _build('m', model, x, tmp_path)

    def reopened():
        if change == 'deepcopy':
            return copy.deepcopy(program)
        if change == 'pickle':
            return pickle.loads(pickle.dumps(program))
        return program

    threads = torch.get_num_threads()
    other = 2 if threads == 1 else 1
    try:
        if change == 'threads':
            torch.set_num_threads(other)
        again = reopened()
        _close(first, again(x), tol=1e-6)  # the intact file: used
        if change == 'threads':
            torch.set_num_threads(threads)
        again = reopened()
        again.session = None
        with open(program.path, 'r+b') as f:  # one byte changed in place
            f.seek(os.path.getsize(program.path) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))
        if change == 'threads':
            torch.set_num_threads(other)
            again = program
        with pytest.raises(RuntimeError, match=(
                rf"(?s)Mentor 'm': the engine file {program.path} is "
                r'refused: sha256 differs from the sidecar.*Delete .*\.onnx'
                r' and .*\.json')):
            again(x)
    finally:
        torch.set_num_threads(threads)


def test_a_replaced_file_and_sidecar_are_refused(tmp_path):
    model = classifier()
    x = torch.randn(2, 3, 32, 32)
    program, _ = _build('m', model, x, tmp_path)
    copied = copy.deepcopy(program)
    with open(program.path, 'ab') as f:
        f.write(b'\0')
    meta = json.load(open(program.sidecar))
    from classroomkd_mm.utils.onnx_files import file_sha256
    meta.update(size=os.path.getsize(program.path),
                sha256=file_sha256(program.path))
    json.dump(meta, open(program.sidecar, 'w'))
    with pytest.raises(RuntimeError, match='file and its sidecar were '
                       'replaced'):
        copied(x)


def test_a_cache_directory_that_cannot_be_written_names_the_option(
        tmp_path):
    """A read-only directory (as a user) or a path under a file (as root,
    who writes anywhere)."""
    blocker = tmp_path / 'a-file'
    blocker.write_text('')
    read_only = tmp_path / 'read-only'
    read_only.mkdir(mode=0o500)
    caches = [str(blocker / 'cache')]
    if os.geteuid() != 0:
        caches.append(str(read_only))
    for cache in caches:
        with pytest.raises(RuntimeError, match=(
                rf"Mentor 'm': the engine cache directory {cache} cannot be "
                r'written .*Set mentor_runtime.cache_dir to a writable')):
            build_program('m', classifier(), adapter_forward, 'adapter',
                          ProgramOptions(engine='auto', cache_dir=cache),
                          torch.randn(2, 3, 32, 32))


def _bf16_cpu():
    try:
        import openvino as ov
    except ImportError:
        return False
    caps = ov.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
    return any(c.upper() == 'BF16' for c in caps)


@pytest.mark.skipif(not _bf16_cpu(), reason='this CPU has no bf16 '
                    '(OpenVINO reports no BF16 capability)')
def test_openvino_bf16_within_its_tolerance(tmp_path):
    model = heatmap()
    x = torch.randn(2, 3, 128, 96)
    program, (out, _) = _build('m', model, x, tmp_path, engine='openvino',
                               precision='bf16')
    eager, _ = adapter_forward(model, x)
    assert out.dtype == torch.float32
    assert 0 < program.report['max_relative_difference'] < 5e-2
    assert largest_relative_difference(eager, out) < 5e-2


def test_provider_selection():
    cpu = torch.device('cpu')
    assert onnxruntime_providers(cpu, 'fp32', ['CPUExecutionProvider'],
                                 '/tmp', (2, 3, 8, 8)) == \
        ['CPUExecutionProvider']
    with pytest.raises(ValueError, match="engine='openvino'"):
        onnxruntime_providers(cpu, 'bf16', ['CPUExecutionProvider'], '/tmp',
                              (2, 3, 8, 8))
    with pytest.raises(ValueError, match='onnxruntime-gpu'):
        onnxruntime_providers(torch.device('cuda', 0), 'fp32',
                              ['CPUExecutionProvider'], '/tmp', (2, 3, 8, 8))


def test_cuda_provider_selection(monkeypatch):
    """Which providers a CUDA mentor gets (no GPU here: torch's stream is
    faked; the sessions themselves were not run)."""
    monkeypatch.setattr(torch.cuda, 'current_stream', lambda index=None:
                        type('Stream', (), dict(cuda_stream=1234))())
    cuda = torch.device('cuda', 1)
    shape = (8, 3, 256, 192)
    [(name, options)] = onnxruntime_providers(
        cuda, 'fp32', ['CUDAExecutionProvider', 'CPUExecutionProvider'],
        '/c', shape)
    assert name == 'CUDAExecutionProvider'
    assert options == dict(device_id='1', has_user_compute_stream='1',
                           user_compute_stream='1234')
    with pytest.raises(ValueError, match='TensorRT'):
        onnxruntime_providers(cuda, 'fp16', ['CUDAExecutionProvider'], '/c',
                              shape)
    (trt, trt_options), (second, _) = onnxruntime_providers(
        cuda, 'fp16', ['TensorrtExecutionProvider', 'CUDAExecutionProvider'],
        '/c', shape)
    assert (trt, second) == ('TensorrtExecutionProvider',
                             'CUDAExecutionProvider')
    assert trt_options['trt_fp16_enable'] == 'True'
    assert trt_options['trt_profile_min_shapes'] == 'inputs:1x3x256x192'
    assert trt_options['trt_profile_max_shapes'] == 'inputs:8x3x256x192'
    assert trt_options['trt_engine_cache_path'] == '/c'


def test_openvino_refuses_cuda_mentors():
    pytest.importorskip('openvino')
    program = EngineProgram('m', 'openvino', 'fp32', 'x.onnx',
                            dict(key='k', sha256='s'), None, [],
                            torch.device('cuda', 0), (2, 3, 8, 8), '/tmp')
    with pytest.raises(ValueError, match="engine='openvino' runs CPU"):
        program.load()


def test_not_exportable_is_a_runtime_error():
    assert issubclass(MentorNotExportable, RuntimeError)
