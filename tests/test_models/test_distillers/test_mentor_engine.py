"""Frozen mentors on an inference engine (mentor_engine.py): the exported
mentor computes what the eager one does (head outputs and features, any
batch size), the ONNX cache is reused and never trusted when it is
truncated, foreign or stale, an unexportable mentor falls back or is an
error, and the distiller's state, copies and pickles are unaffected."""
import copy
import json
import logging
import os
import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope
from tests.helpers.pose_models import batch as pose_batch
from tests.helpers.pose_models import distiller as pose_distiller
from tests.helpers.pose_models import heatmap_model, simcc_model
from tests.helpers.tiny_classifiers import distiller_cfg

from classroomkd_mm.models.distillers import mentor_engine, mentor_runtime
from classroomkd_mm.models.distillers.mentor_engine import (
    EngineProgram, onnxruntime_providers)
from classroomkd_mm.models.distillers.mentor_runtime import (MentorRuntime,
                                                             runtime_options)
from classroomkd_mm.registry import MODELS
from tests.helpers.classroom_probes import mentors_of

pytest.importorskip('onnxruntime')


@pytest.fixture
def logs(monkeypatch):
    """What the runtime logs, as ``(level, message)``."""
    seen = []
    monkeypatch.setattr(
        mentor_runtime, 'print_log',
        lambda msg, logger=None, level=logging.INFO: seen.append(
            (level, msg)))
    return seen


def _adapter_forward(model, x):
    """The adapters' ``(outputs, features)``."""
    features = model.extract_feat(x)
    return model.head.forward(features), features


def _pose(cfg):
    from mmpose.utils import register_all_modules
    register_all_modules()
    init_default_scope('mmpose')
    from mmpose.registry import MODELS as POSE
    torch.manual_seed(0)
    return POSE.build(cfg).eval().requires_grad_(False)


def _classifier():
    from mmpretrain.registry import MODELS as CLS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    return CLS.build(dict(
        type='ImageClassifier', _scope_='mmpretrain',
        backbone=dict(type='ResNet', depth=18, base_channels=8,
                      stem_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=5, in_channels=64,
                  loss=dict(type='CrossEntropyLoss')))).eval() \
        .requires_grad_(False)


def _runtime(name, model, tmp_path, forward=_adapter_forward, **options):
    options.setdefault('engine', 'onnxruntime')
    return MentorRuntime(name, model, runtime_options(
        dict(cache_dir=str(tmp_path / 'cache'), **options)), forward)


def _close(a, b, tol=1e-4):
    leaves_a = torch.utils._pytree.tree_leaves(a)
    leaves_b = torch.utils._pytree.tree_leaves(b)
    assert len(leaves_a) == len(leaves_b)
    for x, y in zip(leaves_a, leaves_b):
        assert x.shape == y.shape and y.dtype == torch.float32
        assert torch.allclose(x, y, rtol=tol, atol=tol * x.abs().max())


@pytest.mark.parametrize('build,shape', [
    (_classifier, (4, 3, 32, 32)),
    (lambda: _pose(heatmap_model(base_channels=8)), (4, 3, 128, 96)),
    (lambda: _pose(simcc_model()), (4, 3, 128, 96)),
], ids=['classifier', 'heatmap', 'simcc'])
@pytest.mark.parametrize('engine', ['onnxruntime', 'openvino'])
def test_engine_equals_eager_outputs_and_features_at_any_batch(
        build, shape, engine, tmp_path, logs):
    pytest.importorskip(engine)
    model = build()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    runtime = _runtime('m', model, tmp_path, engine=engine)
    x = torch.randn(*shape)
    with torch.no_grad():
        first = runtime(x)
        _close(_adapter_forward(model, x), first)
        # sub-batches (mentor skipping) on the same program: dynamic batch
        for rows in (x[:1], x[1:3], torch.randn(7, *shape[1:])):
            _close(_adapter_forward(model, rows), runtime(rows))
    outputs, features = first
    assert isinstance(features, tuple) and len(features) >= 1
    assert runtime.report['engine'] == engine
    assert runtime.report['max_relative_difference'] < 1e-5
    assert runtime.program is None  # no torch copy of the mentor
    message = [m for _, m in logs if "Mentor 'm': engine" in m]
    assert len(message) == 1 and engine in message[0]
    after = model.state_dict()
    assert after.keys() == state.keys()
    assert all(torch.equal(after[k], v) for k, v in state.items())


def test_cache_is_reused_and_never_trusted_when_broken(tmp_path, exports):
    model = _classifier()
    x = torch.randn(2, 3, 32, 32)

    def build():
        runtime = _runtime('m', model, tmp_path)
        with torch.no_grad():
            out = runtime(x)
        _close(_adapter_forward(model, x), out)
        return runtime.report

    first = build()
    path = first['path']
    sidecar = path[:-len('.onnx')] + '.json'
    assert first['exported'] and exports == ['m']
    mtime = os.stat(path).st_mtime_ns
    second = build()  # a second run / --resume: no export
    assert not second['exported'] and exports == ['m']
    assert second['path'] == path and os.stat(path).st_mtime_ns == mtime

    # truncated
    with open(path, 'r+b') as f:
        f.truncate(os.path.getsize(path) // 2)
    assert build()['exported'] and len(exports) == 2
    # foreign: another mentor's file of the same size class under this name
    other = _runtime('other', _pose(heatmap_model(base_channels=8)),
                     tmp_path)
    with torch.no_grad():
        other(torch.randn(1, 3, 128, 96))
    os.replace(other.report['path'], path)
    assert build()['exported'] and len(exports) == 4
    # stale: the sidecar is of another key (another mentor or version)
    meta = json.load(open(sidecar))
    json.dump(dict(meta, key='0' * 64), open(sidecar, 'w'))
    assert build()['exported'] and len(exports) == 5
    # unreadable sidecar
    open(sidecar, 'w').write('{not json')
    assert build()['exported'] and len(exports) == 6
    # same bytes, same sidecar: used
    assert not build()['exported'] and len(exports) == 6


def test_new_weights_are_a_new_cache_entry(tmp_path, exports):
    model = _classifier()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        _runtime('m', model, tmp_path)(x)
        model.head.fc.bias.add_(1.0)
        runtime = _runtime('m', model, tmp_path)
        _close(_adapter_forward(model, x), runtime(x))
    assert len(exports) == 2 and runtime.report['exported']


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
        return _twice(self.conv(x))


class _DataDependent(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        y = self.conv(x)
        return y if x.mean() > 0 else -y


@pytest.mark.parametrize('model,reason', [
    (_CustomOp, 'classroomkd_tests::twice'),
    (_DataDependent, 'tracer warned')])
def test_unexportable_mentor_falls_back_with_auto_or_is_an_error(
        model, reason, tmp_path, logs):
    torch.manual_seed(0)
    model = model().eval()
    x = torch.randn(2, 3, 8, 8) + 0.5
    forward = lambda m, x: m(x)  # noqa: E731
    with pytest.raises(RuntimeError,
                       match=f"(?s)Mentor 'odd' does not run on "
                       f"onnxruntime: .*{reason}.*engine='torch'"):
        with torch.no_grad():
            _runtime('odd', model, tmp_path, forward)(x)
    runtime = _runtime('odd', model, tmp_path, forward, engine='auto')
    with torch.no_grad():
        out = runtime(x)
        assert torch.equal(out, model(x))
        assert torch.equal(runtime(-x), model(-x))
    warnings = [m for level, m in logs if level == logging.WARNING]
    assert len(warnings) == 1 and "Mentor 'odd'" in warnings[0] and \
        'runs eagerly' in warnings[0] and reason in warnings[0]


def _bf16_cpu():
    try:
        import openvino as ov
    except ImportError:
        return False
    caps = ov.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
    return any(c.upper() == 'BF16' for c in caps) and \
        mentor_runtime.native_bf16_cpu()


@pytest.mark.skipif(not _bf16_cpu(), reason='this CPU has no bf16 kernels '
                    '(OpenVINO reports no BF16 capability)')
def test_openvino_bf16_within_its_tolerance(tmp_path):
    model = _pose(heatmap_model(base_channels=8))
    runtime = _runtime('m', model, tmp_path, engine='openvino',
                       precision='bf16')
    x = torch.randn(2, 3, 128, 96)
    with torch.no_grad():
        out, _ = runtime(x)
        eager, _ = _adapter_forward(model, x)
    assert out.dtype == torch.float32
    difference = runtime.report['max_relative_difference']
    assert 0 < difference < 5e-2
    assert (out - eager).abs().max() <= 5e-2 * eager.abs().max()


def test_one_sample_probe_is_relative_to_the_batch(tmp_path):
    """The dynamic-axis probe judges one sample's difference against the
    batch's largest output (as the batch check does): reduced-precision
    rounding on a sample with small outputs passes, a program that does not
    compute the sample fails."""
    model = nn.Linear(3, 2, bias=False).eval().requires_grad_(False)
    forward = lambda m, x: m(x)  # noqa: E731
    runtime = _runtime('m', model, tmp_path, forward)
    x = torch.tensor([[0.01, 0.01, 0.01], [1.0, 1.0, 1.0]])
    with torch.no_grad():
        eager = model(x)
    scale = eager.abs().max()

    def rounded(rows):  # 3% of the batch's largest output on every value
        return model(rows) + 0.03 * scale

    runtime._probe(rounded, x, eager, [], 0.05)
    with pytest.raises(mentor_engine.MentorNotExportable,
                       match='sub-batch of one sample'):
        runtime._probe(lambda rows: model(x[1:]), x, eager, [], 0.05)


@pytest.mark.parametrize('bad,match', [
    (dict(engine='tensorrt'), 'engine must be one of'),
    (dict(engine='onnxruntime', fold_bn=True), r"\['fold_bn'\] are options "
     "of engine='torch'"),
    (dict(engine='openvino', channels_last=True, compile=True),
     'channels_last'),
    (dict(engine='onnxruntime', precision='bf16'), "engine='openvino'"),
    (dict(engine='openvino', precision='fp16'), r"precision \['fp32', "
     r"'bf16'\]"),
    (dict(engine='onnxruntime', cache_dir=3), 'cache_dir must be'),
])
def test_bad_engine_options_are_clear_errors(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        runtime_options(bad)


def test_missing_engine_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(mentor_runtime, 'engine_installed', lambda e: False)
    with pytest.raises(ValueError, match='pip install openvino'):
        runtime_options(dict(engine='openvino'))


def test_provider_selection():
    cpu = torch.device('cpu')
    assert onnxruntime_providers(cpu, 'fp32', ['CPUExecutionProvider'],
                                 '/tmp', (2, 3, 8, 8)) == \
        ['CPUExecutionProvider']
    with pytest.raises(ValueError, match="engine='openvino'"):
        onnxruntime_providers(cpu, 'bf16', ['CPUExecutionProvider'], '/tmp',
                              (2, 3, 8, 8))
    # CUDA mentors without onnxruntime-gpu: the fix is named (the CUDA and
    # TensorRT branches themselves need a GPU and onnxruntime-gpu)
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
    program = EngineProgram('m', 'openvino', 'fp32', 'x.onnx', None, [],
                            torch.device('cuda', 0), (2, 3, 8, 8), '/tmp')
    with pytest.raises(ValueError, match="engine='openvino' runs CPU"):
        program.load()


# ---- through the distiller ---------------------------------------------
ENGINE = dict(engine='onnxruntime')


def test_distiller_losses_state_dict_copies_and_pickles(tmp_path, exports):
    from mmpose.utils import register_all_modules
    register_all_modules()
    init_default_scope('mmpose')
    mentors = dict(a=heatmap_model(base_channels=16),
                   b=heatmap_model(width=0.25))
    eager = pose_distiller(heatmap_model(base_channels=8), mentors, tmp_path)
    engine = pose_distiller(heatmap_model(base_channels=8), mentors,
                            tmp_path, mentor_runtime=dict(
                                ENGINE, cache_dir=str(tmp_path / 'c')))
    engine.load_state_dict(eager.state_dict())
    before = {k: v.clone() for k, v in engine.state_dict().items()}
    inputs, samples = pose_batch(2)
    with torch.no_grad():
        a = eager.loss(inputs, samples)
        b = engine.loss(inputs, samples)
    for key in a:
        assert torch.allclose(a[key], b[key], rtol=1e-4, atol=1e-6), key
    assert sorted(exports) == ['a', 'b']
    after = engine.state_dict()
    assert list(after) == list(before)
    assert not any(k.startswith(('mentors.', 'student.')) for k in after)
    # sessions are not picklable; they are held outside the module state
    engine.eval()
    engine.train()
    assert not any(m.training for m in mentors_of(engine).modules())
    copied = copy.deepcopy(engine)
    with torch.no_grad():
        for other in (copied, engine):
            c = other.loss(inputs, samples)
            for key in b:
                assert torch.allclose(b[key], c[key], rtol=1e-5,
                                      atol=1e-7), key
        # the program pickles without its session and loads it again from
        # the verified cache file
        program = engine.classroom.program('a').engine_program
        pickled = pickle.loads(pickle.dumps(program))
        assert pickled.session is None
        x = engine.data_preprocessor(dict(inputs=inputs,
                                          data_samples=samples))['inputs']
        _close(program(x), pickled(x), tol=1e-6)
    assert sorted(exports) == ['a', 'b']  # copies reload the cached file


def test_feature_loss_with_engine_mentors(tmp_path):
    from tests.helpers.tiny_classifiers import feature_cfg
    from tests.helpers.tiny_runs import batch
    init_default_scope('mmpretrain')
    results = []
    for runtime in (None, dict(ENGINE, cache_dir=str(tmp_path / 'c'))):
        torch.manual_seed(0)
        model = MODELS.build(feature_cfg(tmp_path, mentor_runtime=runtime))
        data = model.data_preprocessor(batch(), training=True)
        losses = model(**data, mode='loss')
        losses['distill.loss_feature'].backward()
        results.append((losses, model))
    (a, eager), (b, engine) = results
    for key in a:
        assert torch.allclose(a[key], b[key], rtol=1e-4, atol=1e-6), key
    assert all(engine.classroom.program(n) is not None for n in ('m0', 'm1'))
    assert all(p.grad is None for p in mentors_of(engine).parameters())
    for (_, p), (_, q) in zip(eager.connectors.named_parameters(),
                              engine.connectors.named_parameters()):
        assert torch.allclose(p.grad, q.grad, rtol=1e-4, atol=1e-6)


def test_skipping_sub_batches_with_engine_mentors(tmp_path):
    init_default_scope('mmpretrain')
    from tests.helpers.tiny_runs import batch
    cfg = distiller_cfg(tmp_path, mentor_runtime=dict(
        ENGINE, cache_dir=str(tmp_path / 'c')),
        mentor_skipping=dict(margin=0.0, reprobe_fraction=0.0))
    model = MODELS.build(cfg)
    data = model.data_preprocessor(batch(), training=True)
    for i, sample in enumerate(data['data_samples']):
        sample.set_metainfo(dict(sample_idx=i))
    with torch.no_grad():
        for _ in range(2):  # the second step skips some pairs
            losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
