"""The frozen-mentor runtime: BatchNorm folding (golden), converted real
mmpose and mmpretrain mentors agree with the eager ones, the distiller's
state dict and checkpoints keep their original form, bf16 runs, and a
converted mentor that disagrees is an error naming it."""
import pytest
import torch
import torch.nn as nn
from tests.helpers.pose_models import heatmap_model, simcc_model
from tests.helpers.pose_models import batch, distiller

from classroomkd_mm.models.distillers import mentor_runtime
from classroomkd_mm.models.distillers.mentor_runtime import (
    MentorRuntime, conv_bn_pairs, fold_batch_norms, fold_conv_bn,
    runtime_options)
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpose_scope')



@pytest.fixture(autouse=True)
def mmpose_default_scope():
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')


@pytest.fixture
def bf16_kernels(monkeypatch):
    """bf16 mentors on any CPU: these tiny models are quick even where
    oneDNN has no bf16 kernels (the distiller refuses that for real runs)."""
    monkeypatch.setattr(mentor_runtime, 'native_bf16_cpu', lambda: True)


#: the exact options (opt-in)
EXACT = dict(fold_bn=True, channels_last=True)
EAGER = dict(fold_bn=False, channels_last=False, compile=False,
             precision='fp32')


def _bn(channels, seed=0):
    """A BatchNorm in eval mode with non-trivial statistics."""
    g = torch.Generator().manual_seed(seed)
    bn = nn.BatchNorm2d(channels).eval()
    bn.running_mean.copy_(torch.rand(channels, generator=g) * 2 - 1)
    bn.running_var.copy_(torch.rand(channels, generator=g) + 0.5)
    bn.weight.data.copy_(torch.rand(channels, generator=g) + 0.5)
    bn.bias.data.copy_(torch.rand(channels, generator=g) - 0.5)
    return bn


def _randomise_batch_norms(model, seed=0):
    for i, m in enumerate(model.modules()):
        if isinstance(m, nn.BatchNorm2d):
            m.load_state_dict(_bn(m.num_features, seed + i).state_dict())
    return model


def test_fold_golden_hand_computed():
    # 1x1 conv, 1 input channel, 2 output channels: y_c = w_c x + b_c
    conv = nn.Conv2d(1, 2, 1)
    conv.weight.data = torch.tensor([2.0, -1.0]).view(2, 1, 1, 1)
    conv.bias.data = torch.tensor([1.0, 0.5])
    bn = nn.BatchNorm2d(2, eps=0.0).eval()
    bn.running_mean.copy_(torch.tensor([1.0, -0.5]))
    bn.running_var.copy_(torch.tensor([4.0, 0.25]))
    bn.weight.data = torch.tensor([3.0, 1.0])
    bn.bias.data = torch.tensor([0.5, -1.0])
    weight, bias = fold_conv_bn(conv.weight, conv.bias, bn)
    # s = gamma / sqrt(var) = (1.5, 2); W' = W s = (3, -2);
    # b' = (b - mean) s + beta = (0 * 1.5 + 0.5, 1 * 2 - 1) = (0.5, 1)
    assert weight.flatten().tolist() == [3.0, -2.0]
    assert bias.tolist() == [0.5, 1.0]
    x = torch.tensor([[[[0.0, 1.0, -2.0]]]])
    with torch.no_grad():
        assert torch.allclose(nn.functional.conv2d(x, weight, bias),
                              bn(conv(x)))


@pytest.mark.parametrize('conv', [
    nn.Conv2d(4, 6, 3, padding=1, bias=False),
    nn.Conv2d(4, 6, 3, groups=2, bias=True),
    nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, bias=False),
    nn.ConvTranspose2d(4, 6, 3, groups=2),
])
def test_fold_equals_conv_then_batch_norm(conv):
    torch.manual_seed(0)
    model = nn.Sequential(conv, _bn(6), nn.ReLU()).eval()
    x = torch.randn(2, 4, 7, 5)
    with torch.no_grad():
        expected = model(x)
        pairs = conv_bn_pairs(model, lambda: model(x))
        assert pairs == [('0', '1')]
        assert fold_batch_norms(model, pairs) == 1
        assert isinstance(model[1], nn.Identity)
        assert torch.allclose(model(x), expected, atol=1e-5, rtol=1e-5)


def test_no_pair_when_batch_norm_does_not_follow_the_conv():
    class PreActivation(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn, self.conv = _bn(3), nn.Conv2d(3, 3, 1)

        def forward(self, x):
            return self.conv(self.bn(x))

    model = PreActivation().eval()
    with torch.no_grad():
        assert conv_bn_pairs(model, lambda: model(torch.randn(1, 3, 4, 4))) \
            == []


def _heatmap_forward(model, x):
    return model.head.forward(model.extract_feat(x))


def _cls_forward(model, x):
    return model.head(model.extract_feat(x))


def _mmpretrain(backbone, in_channels):
    from mmpretrain.registry import MODELS
    return MODELS.build(dict(
        type='ImageClassifier', _scope_='mmpretrain', backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=5,
                  in_channels=in_channels,
                  loss=dict(type='CrossEntropyLoss'))))


def _mmpose(cfg):
    from mmpose.registry import MODELS
    return MODELS.build(cfg)


@pytest.mark.parametrize('build,forward,shape', [
    (lambda: _mmpose(heatmap_model(base_channels=8)), _heatmap_forward,
     (2, 3, 128, 96)),                                 # SimpleBaseline R18
    (lambda: _mmpose(heatmap_model(depth=50, base_channels=4)),
     _heatmap_forward, (2, 3, 128, 96)),               # Bottleneck blocks
    (lambda: _mmpose(heatmap_model(width=0.25)), _heatmap_forward,
     (2, 3, 128, 96)),                                 # ConvModule blocks
    (lambda: _mmpretrain(dict(type='ResNet', depth=18, base_channels=8,
                              stem_channels=8), 64),
     _cls_forward, (2, 3, 64, 64)),                    # mmpretrain ResNet
    (lambda: _mmpretrain(dict(type='ResNetV1d', depth=50, base_channels=4,
                              stem_channels=8), 128),
     _cls_forward, (2, 3, 64, 64)),                    # deep stem
])
def test_real_mentors_agree_and_keep_their_state_dict(build, forward, shape):
    torch.manual_seed(0)
    mentor = _randomise_batch_norms(build()).eval().requires_grad_(False)
    state = {k: v.clone() for k, v in mentor.state_dict().items()}
    batch_norms = sum(isinstance(m, nn.BatchNorm2d)
                      for m in mentor.modules())
    x = torch.randn(*shape)
    runtime = MentorRuntime('m', mentor, runtime_options(EXACT), forward)
    with torch.no_grad():
        eager = forward(mentor, x)
        first, later = runtime(x), runtime(torch.flip(x, [0]))
        assert torch.allclose(later, forward(mentor, torch.flip(x, [0])),
                              rtol=1e-4, atol=1e-4 * eager.abs().max())
    assert runtime.report['folded'] == batch_norms
    # the program shares every tensor but the folded biases and scales, one
    # value per output channel: no convolution weight is copied
    shared = {id(t) for t in list(mentor.parameters())
              + list(mentor.buffers())}
    own = [t for t in runtime.tensors() if id(t) not in shared]
    assert len(own) == 2 * batch_norms
    channels = sum(m.num_features for m in mentor.modules()
                   if isinstance(m, nn.BatchNorm2d))
    assert sum(t.numel() for t in own) == 2 * channels
    assert runtime.report['max_relative_difference'] < 1e-5
    assert torch.allclose(first, eager, rtol=1e-4,
                          atol=1e-4 * eager.abs().max())
    assert first.dtype == eager.dtype and first.is_contiguous()
    # the mentor itself is untouched: same keys, same values
    after = mentor.state_dict()
    assert after.keys() == state.keys()
    assert all(torch.equal(after[k], v) for k, v in state.items())
    assert any(isinstance(m, nn.BatchNorm2d) for m in mentor.modules())


def test_disagreement_is_an_error_naming_the_mentor():
    class Residual(nn.Module):
        """bn(conv(x)) + conv(x): the conv output is used twice, which the
        hooks cannot see; folding it breaks the sum, the check catches it."""

        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 3, 1), _bn(3)

        def forward(self, x):
            y = self.conv(x)
            return self.bn(y) + y

    model = Residual().eval()
    runtime = MentorRuntime('wrong_one', model, runtime_options(EXACT),
                            lambda m, x: m(x))
    with pytest.raises(RuntimeError, match="Mentor 'wrong_one'.*tolerance"):
        with torch.no_grad():
            runtime(torch.randn(2, 3, 5, 5))


@pytest.mark.parametrize('bad,match', [
    (dict(fold=True), 'unknown keys'),
    (dict(precision='int8'), 'precision'),
    (dict(compile='yes'), 'compile'),
    (dict(tolerance=2), 'tolerance'),
    (dict(cast_weights=True), 'cast_weights needs a reduced precision'),
    (dict(cast_weights=1, precision='bf16'), 'cast_weights'),
    ('fast', 'must be a dict'),
])
def test_bad_options_are_clear_errors(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        runtime_options(bad)


def test_fp16_on_cpu_is_an_error():
    model = nn.Sequential(nn.Conv2d(3, 3, 1)).eval()
    runtime = MentorRuntime('m', model, runtime_options(
        dict(precision='fp16')), lambda m, x: m(x))
    with pytest.raises(ValueError, match="needs a CUDA device"):
        runtime(torch.randn(1, 3, 4, 4))


def test_bf16_on_a_cpu_without_bf16_kernels_is_an_error(monkeypatch):
    monkeypatch.setattr(mentor_runtime, 'native_bf16_cpu', lambda: False)
    model = nn.Sequential(nn.Conv2d(3, 3, 1)).eval()
    runtime = MentorRuntime('m', model, runtime_options(
        dict(precision='bf16')), lambda m, x: m(x))
    with pytest.raises(ValueError, match=r"(?s)Mentor 'm'.*without bfloat16 "
                       r"kernels.*precision='fp32'"):
        runtime(torch.randn(1, 3, 4, 4))
    assert runtime.program is None


# ---- through the distiller ---------------------------------------------
def _two_mentor_distiller(tmp_path, **kwargs):
    return distiller(heatmap_model(base_channels=8),
                     dict(a=heatmap_model(base_channels=16),
                          b=heatmap_model(width=0.25)), tmp_path, **kwargs)


def test_distiller_state_dict_keys_and_values_unchanged(tmp_path):
    model = _two_mentor_distiller(tmp_path, mentor_runtime=EXACT)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    inputs, samples = batch(2)
    losses = model.loss(inputs, samples)
    assert all(model.classroom.program(n) is not None for n in 'ab')
    assert all(torch.isfinite(v) for v in losses.values())
    after = model.state_dict()
    assert list(after.keys()) == list(before.keys())
    # mentors are not model state
    assert not any(k.startswith(('mentors.', 'student.')) for k in before)
    # the student-only part (what StudentCheckpointHook writes) is the
    # same set of keys as without a runtime
    eager = _two_mentor_distiller(tmp_path, mentor_runtime=EAGER)
    assert list(eager.state_dict().keys()) == list(after.keys())


def test_runtime_matches_eager_losses_and_round_trips(tmp_path):
    inputs, samples = batch(2)
    eager = _two_mentor_distiller(tmp_path, mentor_runtime=EAGER)
    converted = _two_mentor_distiller(tmp_path, mentor_runtime=EXACT)
    converted.load_state_dict(eager.state_dict())
    with torch.no_grad():
        a = eager.loss(inputs, samples)
        b = converted.loss(inputs, samples)
    for key in a:
        assert torch.allclose(a[key], b[key], rtol=1e-4, atol=1e-6), key
    # save / load into a fresh distiller: the program is rebuilt from the
    # loaded weights and gives the very same losses (an exact resume)
    state = converted.state_dict()
    resumed = _two_mentor_distiller(tmp_path, mentor_runtime=EXACT)
    resumed.load_state_dict(state)
    assert resumed.classroom.program('a') is None
    with torch.no_grad():
        c = resumed.loss(inputs, samples)
    for key in b:
        assert torch.equal(b[key], c[key]), key
    # loading a state dict leaves the mentors and their programs alone
    converted.load_state_dict(state)
    assert converted.classroom.program('a') is not None


@pytest.mark.usefixtures('bf16_kernels')
@pytest.mark.parametrize('cast_weights', [False, True])
def test_bf16_mentors_run_and_give_float32(tmp_path, cast_weights):
    model = _two_mentor_distiller(tmp_path, mentor_runtime=dict(
        precision='bf16', cast_weights=cast_weights))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    inputs, samples = batch(2)
    with torch.no_grad():
        out, _ = model.classroom.run('a', model.data_preprocessor(
            dict(inputs=inputs, data_samples=samples))['inputs'])
    assert out.dtype == torch.float32
    assert model.classroom.program('a').report[
        'max_relative_difference'] < 5e-2
    losses = model.loss(inputs, samples)
    assert all(torch.isfinite(v) for v in losses.values())
    after = model.state_dict()   # the checkpointed mentors stay float32
    assert list(after) == list(before)
    assert all(after[k].dtype == v.dtype and torch.equal(after[k], v)
               for k, v in before.items() if k.startswith('mentors.'))


@pytest.mark.usefixtures('bf16_kernels')
def test_cast_weights_program_holds_bf16_weights_of_its_own():
    """``cast_weights``: the program's weights are its own bf16 tensors
    (the folded ones computed once), it computes what the autocast program
    computes, and the mentor keeps its float32 tensors and state dict."""
    torch.manual_seed(0)
    mentor = _randomise_batch_norms(_mmpose(heatmap_model(
        base_channels=8))).eval().requires_grad_(False)
    state = {k: v.clone() for k, v in mentor.state_dict().items()}
    x = torch.randn(2, 3, 128, 96)
    bf16 = dict(EXACT, precision='bf16')
    autocast = MentorRuntime('m', mentor, runtime_options(bf16),
                             _heatmap_forward)
    cast = MentorRuntime('m', mentor, runtime_options(
        dict(bf16, cast_weights=True)), _heatmap_forward)
    with torch.no_grad():
        eager = _heatmap_forward(mentor, x)
        expected, got = autocast(x), cast(x)
        again = cast(torch.flip(x, [0]))
    assert got.dtype == torch.float32 and again.dtype == torch.float32
    assert cast.report['max_relative_difference'] < 5e-2
    assert torch.allclose(got, eager, atol=5e-2 * eager.abs().max())
    # the same bf16 rounding of the same folded weights as autocast's
    assert torch.allclose(got, expected, atol=1e-2 * eager.abs().max())
    tensors = cast.tensors()
    floating = [t for t in tensors if t.is_floating_point()]
    assert floating and all(t.dtype == torch.bfloat16 for t in floating)
    shared = {id(t) for t in list(mentor.parameters())
              + list(mentor.buffers())}
    assert not any(id(t) in shared for t in floating)
    convs = [m for m in cast.program.modules() if isinstance(m, nn.Conv2d)]
    assert not any(hasattr(m, 'folded_scale') for m in convs)
    assert not any(m._forward_pre_hooks for m in convs)
    assert cast.report['folded'] == sum(
        isinstance(m, nn.BatchNorm2d) for m in mentor.modules())
    after = mentor.state_dict()
    assert all(after[k].dtype == v.dtype and torch.equal(after[k], v)
               for k, v in state.items())


def test_simcc_mentor_outputs_are_tuples(tmp_path):
    model = distiller(simcc_model(), dict(a=simcc_model(channels=32)),
                      tmp_path)
    inputs, samples = batch(2)
    with torch.no_grad():
        out, _ = model.classroom.run('a', inputs)
        ref = tuple(model.classroom.mentor('a').head.forward(
            model.classroom.mentor('a').extract_feat(inputs)))
    assert isinstance(out, tuple) and len(out) == 2
    for o, r in zip(out, ref):
        assert torch.allclose(o, r, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_compiled_program_agrees_and_reports_its_compile_time():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), _bn(8),
                          nn.ReLU(), nn.Conv2d(8, 4, 1), _bn(4, 1)).eval()
    runtime = MentorRuntime('m', model, runtime_options(dict(EXACT, compile=True)),
                            lambda m, x: m(x))
    x = torch.randn(2, 3, 16, 12)
    with torch.no_grad():
        first = runtime(x)
        again = runtime(x)
        eager = model(x)
    assert runtime.report['folded'] == 2
    assert runtime.report['compile_s'] > 0
    assert torch.allclose(first, eager, rtol=1e-4, atol=1e-5)
    assert torch.equal(first, again)


@pytest.mark.slow
def test_compiled_mentors_each_have_their_own_graph_budget():
    """Nine mentor architectures, each compiled for two batch shapes, are
    more graphs than dynamo keeps for one code object (8): every mentor
    compiles its own and none falls back to eager."""
    from torch._dynamo.utils import counters

    def mentor(depth):
        layers = [nn.Conv2d(3, 4, 3, padding=1), _bn(4, depth), nn.ReLU()]
        layers += [nn.Conv2d(4, 4, 1), nn.ReLU()] * depth
        return nn.Sequential(*layers).eval().requires_grad_(False)

    runtimes = [MentorRuntime(f'm{d}', mentor(d), runtime_options(dict(
        EXACT, compile=True)), lambda m, x: m(x)) for d in range(9)]
    before = counters['stats']['unique_graphs']
    with torch.no_grad():
        for size in (3, 2, 4):
            x = torch.randn(size, 3, 8, 8)
            for runtime in runtimes:
                assert torch.allclose(runtime(x), runtime.mentor(x),
                                      rtol=1e-4, atol=1e-5)
    # one graph per mentor for its first shape, one (dynamic) for the rest
    assert counters['stats']['unique_graphs'] - before == 2 * len(runtimes)


def test_default_is_the_eager_mentor():
    """Without ``mentor_runtime`` the mentors run as they are (the folded
    copies would raise peak memory; the options are opt-in)."""
    assert not runtime_options(None).converts
    assert runtime_options(EXACT).converts


def test_folded_runtime_holds_no_copy_of_the_mentor_weights(tmp_path):
    """Persistent memory of a training step (as benchmarks/speed/
    peak_memory.py counts it: the distinct storages of weights, buffers,
    optimizer state and the runtime programs): folded + channels-last adds one scale
    and one bias per folded channel to the eager step's, not a copy of the
    mentors' convolution weights. (The transient peak is measured by
    tools/benchmark_mentor_runtime.py, docs/performance.md.)"""
    from mmengine.optim import OptimWrapper

    from benchmarks.speed.cases import _state_tensors, tensor_bytes
    inputs, samples = batch(2)
    memory = {}
    for name, runtime in (('eager', EAGER), ('folded', EXACT)):
        torch.manual_seed(0)
        model = _two_mentor_distiller(tmp_path, mentor_runtime=runtime)
        model.train()
        ow = OptimWrapper(torch.optim.SGD(model.student.parameters(),
                                          lr=0.01, momentum=0.9))
        data = dict(inputs=list(inputs), data_samples=samples)

        model.train_step(data, ow)
        mentors = mentors_of(model)
        memory[name] = tensor_bytes(
            _state_tensors(model, ow) + list(mentors.parameters()) +
            list(mentors.buffers()) + [
                t for n in model.classroom.names
                for t in model.classroom.program(n).tensors()])
    channels = sum(m.num_features for m in mentors_of(model).modules()
                   if isinstance(m, nn.BatchNorm2d))
    assert memory['folded'] == memory['eager'] + 2 * channels * 4
