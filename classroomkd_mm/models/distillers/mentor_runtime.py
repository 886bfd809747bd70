"""Frozen mentors as inference-only programs: BatchNorm folded into the
convolution before it, channels-last memory, optional ``torch.compile`` and
reduced precision; or an ONNX export of the mentor on an inference engine
(``engine=``, :mod:`.mentor_engine`).

A mentor never trains, so what runs in the training step may differ from the
module that is checkpointed. :func:`convert_mentor` makes the program: a copy
of the mentor module that shares every tensor of the mentor (a folded
convolution computes its weight from the shared one when it runs and keeps
only a scale and a bias per output channel), so the mentor module itself,
its ``state_dict`` and the checkpoints keep their original form and the
program adds no copy of the mentor's weights.
:class:`MentorRuntime` runs it and, on its first batch, checks it against the
eager mentor.
"""
import contextlib
import copy
import logging
import os
import time
import types
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from torch import Tensor
from torch.utils._pytree import tree_leaves, tree_map

from ..setting_checks import options_from_dict
from .mentor_engine import (ENGINE_PRECISIONS, ENGINES, MentorNotExportable,
                            build_engine_program, default_cache_dir,
                            engine_installed, resolve_engine)

PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
# Largest |eager - converted| allowed, as a fraction of max |eager output|.
DEFAULT_TOLERANCE = {'fp32': 1e-4, 'bf16': 5e-2, 'fp16': 1e-2}


class RuntimeOptions(NamedTuple):
    """``mentor_runtime=dict(...)`` of :class:`ClassroomDistiller`.

    ``fold_bn`` and ``channels_last`` are exact up to float rounding;
    ``compile`` runs ``torch.compile`` (inductor) on each mentor;
    ``precision`` ('fp32', 'bf16' or, on CUDA, 'fp16') runs the mentors under
    autocast of that dtype and returns float32 outputs ('bf16' on a CPU
    needs oneDNN's bfloat16 kernels: AVX-512 or AMX); ``cast_weights``
    (with a reduced ``precision``) makes the program hold its weights in that
    dtype, cast once at build, instead of autocast casting the shared fp32
    weights at every call: faster, at the memory of half the mentors'
    weights; ``tolerance`` is the
    largest difference from the eager mentor, relative to the largest eager
    output value, accepted at the first batch (default per precision, or per
    the dtype of an enclosing autocast: :data:`DEFAULT_TOLERANCE`).

    ``engine`` ('torch', 'onnxruntime', 'openvino' or 'auto') runs each
    mentor as an ONNX export on that engine (:mod:`.mentor_engine`), cached
    in ``cache_dir`` (default: ``<work_dir>/mentor_engine``); 'torch' is the
    module with the options above, which the engines do not take (they fuse
    BatchNorm and choose layouts themselves). 'onnxruntime' runs 'fp32' (on
    CUDA with onnxruntime-gpu; 'fp16' with its TensorRT provider),
    'openvino' 'fp32' or, on a CPU with bf16, 'bf16'. A mentor that does not
    export is an error with an explicit engine, and runs eagerly with a
    warning with 'auto' (onnxruntime where installed, else 'torch').
    """
    fold_bn: bool = False
    channels_last: bool = False
    compile: bool = False
    precision: str = 'fp32'
    tolerance: Optional[float] = None
    cast_weights: bool = False
    engine: str = 'torch'
    cache_dir: Optional[str] = None

    @property
    def converts(self) -> bool:
        return (self.fold_bn or self.channels_last or self.compile
                or self.precision != 'fp32' or self.engine != 'torch')


def runtime_options(cfg: Optional[dict]) -> RuntimeOptions:
    """Validate ``mentor_runtime`` (None: the defaults)."""
    if cfg is None:
        return RuntimeOptions()
    if isinstance(cfg, RuntimeOptions):
        return cfg
    options = options_from_dict(
        'mentor_runtime', RuntimeOptions, cfg,
        "dict(fold_bn=True, channels_last=True, compile=False, "
        "precision='fp32')")
    for key in ('fold_bn', 'channels_last', 'compile', 'cast_weights'):
        if not isinstance(getattr(options, key), bool):
            raise TypeError(f'mentor_runtime.{key} must be True or False, '
                            f'got {getattr(options, key)!r}.')
    if options.precision not in PRECISIONS:
        raise ValueError(f'mentor_runtime.precision must be one of '
                         f'{list(PRECISIONS)}, got {options.precision!r}.')
    if options.cast_weights and options.precision == 'fp32':
        raise ValueError(
            "mentor_runtime.cast_weights needs a reduced precision ('bf16' "
            "or, on CUDA, 'fp16'): in 'fp32' the program shares the "
            "mentor's weights. Set precision='bf16' or cast_weights=False.")
    check_engine_options(options)
    if options.tolerance is not None and not (
            isinstance(options.tolerance, (int, float))
            and 0 < options.tolerance < 1):
        raise ValueError('mentor_runtime.tolerance must be a number in '
                         f'(0, 1), got {options.tolerance!r}.')
    return options


def check_engine_options(options: RuntimeOptions):
    if options.engine not in ENGINES:
        raise ValueError(f'mentor_runtime.engine must be one of '
                         f'{list(ENGINES)}, got {options.engine!r}.')
    if options.cache_dir is not None and not (
            isinstance(options.cache_dir, str) and options.cache_dir):
        raise TypeError('mentor_runtime.cache_dir must be a directory path '
                        f'(or None: the work dir), got '
                        f'{options.cache_dir!r}.')
    if options.engine == 'torch':
        return
    torch_only = [k for k in ('fold_bn', 'channels_last', 'compile',
                              'cast_weights') if getattr(options, k)]
    if torch_only:
        raise ValueError(
            f'mentor_runtime: {torch_only} are options of '
            f"engine='torch'; engine={options.engine!r} fuses BatchNorm and "
            'chooses its layouts itself. Drop them or set '
            "engine='torch'.")
    engine = resolve_engine(options.engine)
    if engine != 'torch' and not engine_installed(engine):
        raise ValueError(
            f'mentor_runtime.engine={engine!r} is not installed; '
            f'`pip install {engine}` (requirements/*.txt), or set '
            "engine='torch'.")
    allowed = ENGINE_PRECISIONS.get(engine, tuple(PRECISIONS))
    if options.precision not in allowed:
        raise ValueError(
            f'mentor_runtime: engine={engine!r} runs precision '
            f'{list(allowed)}, got {options.precision!r}'
            + (" (bf16 on the CPU: engine='openvino')"
               if engine == 'onnxruntime' else '') + '.')


# ---- BatchNorm folding ---------------------------------------------------
def fold_conv_bn(weight: Tensor, bias: Optional[Tensor], bn: nn.Module,
                 transposed: bool = False, groups: int = 1
                 ) -> Tuple[Tensor, Tensor]:
    """Weights of one convolution equal to ``bn(conv(x))`` in eval mode.

    With ``s = gamma / sqrt(running_var + eps)`` per output channel::

        W' = W * s   (scaled along the output-channel axis)
        b' = (b - running_mean) * s + beta

    (``gamma = 1``, ``beta = 0`` without affine parameters, ``b = 0`` without
    a bias). A transposed convolution's weight is ``(in, out / groups, ...)``,
    so its output channels are its second axis within each group.
    """
    scale, bias = folded_scale_and_bias(bias, bn)
    return scale_output_channels(weight, scale, transposed, groups), bias


def folded_scale_and_bias(bias: Optional[Tensor], bn: nn.Module
                          ) -> Tuple[Tensor, Tensor]:
    """``s = gamma / sqrt(running_var + eps)`` and ``b' = (b - running_mean)
    * s + beta`` of :func:`fold_conv_bn`."""
    scale = bn.weight if bn.affine else torch.ones_like(bn.running_var)
    scale = scale / torch.sqrt(bn.running_var + bn.eps)
    shift = bn.bias if bn.affine else torch.zeros_like(bn.running_mean)
    bias = torch.zeros_like(bn.running_mean) if bias is None else bias
    return scale, (bias - bn.running_mean) * scale + shift


def scale_output_channels(weight: Tensor, scale: Tensor,
                          transposed: bool = False, groups: int = 1
                          ) -> Tensor:
    """``W * s`` along a convolution weight's output-channel axis (the
    first, or for a transposed convolution the second within each group)."""
    if transposed:
        in_channels = weight.shape[0]
        grouped = weight.reshape(groups, in_channels // groups,
                                 *weight.shape[1:])
        per_group = scale.reshape(groups, 1, -1,
                                  *([1] * (weight.dim() - 2)))
        return (grouped * per_group).reshape(weight.shape)
    return weight * scale.reshape(-1, *([1] * (weight.dim() - 1)))


class FoldedWeight:
    """A folded convolution's weight ``W' = W * s``, made when the
    convolution runs and dropped when it returns, from the weight ``W`` it
    shares with the eager mentor and the per-channel ``s``: the program
    holds no second copy of the mentor's convolution weights (only ``s`` and
    the folded bias, one value per output channel), at the cost of one
    multiplication over the weights per call."""

    def __init__(self, weight: Tensor, scale: Tensor, transposed: bool,
                 groups: int):
        self.weight, self.scale = weight, scale
        self.transposed, self.groups = transposed, groups

    def before(self, module: nn.Module, args):
        module.weight = scale_output_channels(self.weight, self.scale,
                                              self.transposed, self.groups)

    def after(self, module: nn.Module, args, output):
        del module.weight


_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d,
          nn.ConvTranspose2d, nn.ConvTranspose3d)


def conv_bn_pairs(model: nn.Module, run: Callable[[], object]
                  ) -> List[Tuple[str, str]]:
    """``(conv name, BatchNorm name)`` pairs of ``model`` where, in the
    forward pass ``run()``, the BatchNorm's input is the output of that
    convolution, each called once, and the convolution's output goes to that
    BatchNorm only as far as hooks can tell (the caller checks the numbers).

    Found from what the forward pass does, not from attribute names, so it
    covers mmcv's ``ConvModule``, ResNet blocks (``conv1``/``norm1`` or
    ``bn1``), ``nn.Sequential(conv, bn)`` and mmpose's deconvolution heads
    alike.
    """
    names = {m: n for n, m in model.named_modules()}
    calls: Dict[nn.Module, int] = {}
    produced: Dict[int, Tuple[nn.Module, Tensor]] = {}
    consumed: List[Tuple[nn.Module, nn.Module]] = []

    def after_conv(module, args, output):
        calls[module] = calls.get(module, 0) + 1
        if isinstance(output, Tensor):
            produced[id(output)] = (module, output)  # keeps the id alive

    def before_bn(module, args):
        calls[module] = calls.get(module, 0) + 1
        source = produced.get(id(args[0])) if args else None
        if source is not None and source[1] is args[0]:
            consumed.append((source[0], module))

    handles = []
    for module in names:
        if isinstance(module, _CONVS):
            handles.append(module.register_forward_hook(after_conv))
        elif isinstance(module, nn.modules.batchnorm._BatchNorm):
            handles.append(module.register_forward_pre_hook(before_bn))
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    uses: Dict[nn.Module, int] = {}
    for conv, _ in consumed:
        uses[conv] = uses.get(conv, 0) + 1
    return [(names[conv], names[bn]) for conv, bn in consumed
            if calls[conv] == 1 and calls[bn] == 1 and uses[conv] == 1
            and bn.track_running_stats and bn.running_var is not None]


def fold_batch_norms(model: nn.Module, pairs: List[Tuple[str, str]]) -> int:
    """Fold each pair's BatchNorm into its convolution, in ``model``: the
    convolution gets a new bias parameter, and its weight becomes
    :class:`FoldedWeight` (computed from the old weight at each call, so
    copies that share the old tensors keep theirs and no weight is copied);
    the BatchNorm becomes ``nn.Identity``. Returns how many were folded."""
    modules = dict(model.named_modules())
    for conv_name, bn_name in pairs:
        conv, bn = modules[conv_name], modules[bn_name]
        transposed = isinstance(conv, nn.modules.conv._ConvTransposeNd)
        with torch.no_grad():
            scale, bias = folded_scale_and_bias(conv.bias, bn)
        folded = FoldedWeight(conv._parameters.pop('weight').detach(),
                              scale.detach(), transposed, conv.groups)
        # a buffer of the program, so its memory is counted with it
        conv.register_buffer('folded_scale', folded.scale)
        folded.handles = (conv.register_forward_pre_hook(folded.before),
                          conv.register_forward_hook(folded.after))
        conv._folded_weight = folded
        conv.bias = nn.Parameter(bias, requires_grad=False)
        parent_name, _, child = bn_name.rpartition('.')
        setattr(modules[parent_name] if parent_name else model, child,
                nn.Identity())
    return len(pairs)


def cast_program(model: nn.Module, dtype: torch.dtype) -> int:
    """Give ``model`` its own floating-point parameters and buffers in
    ``dtype`` (new tensors, same memory layout; the tensors it shared are
    left as they were), a folded convolution its folded weight ``W * s``
    computed once and cast (its per-call :class:`FoldedWeight` removed).
    Returns how many tensors were cast."""
    cast = 0
    for module in model.modules():
        folded = module.__dict__.pop('_folded_weight', None)
        if folded is not None:
            for handle in folded.handles:
                handle.remove()
            del module.folded_scale
            with torch.no_grad():
                weight = scale_output_channels(folded.weight, folded.scale,
                                               folded.transposed,
                                               folded.groups)
            module.weight = nn.Parameter(weight.to(dtype),
                                         requires_grad=False)
            cast += 1
        for name, param in list(module._parameters.items()):
            if param is not None and param.is_floating_point() and \
                    param.dtype != dtype:
                module._parameters[name] = nn.Parameter(
                    param.detach().to(dtype), requires_grad=False)
                cast += 1
        for name, buffer in list(module._buffers.items()):
            if buffer is not None and buffer.is_floating_point() and \
                    buffer.dtype != dtype:
                module._buffers[name] = buffer.to(dtype)
                cast += 1
    return cast


def shared_copy(model: nn.Module) -> nn.Module:
    """A deep copy of ``model``'s module structure that shares its parameters
    and buffers (no tensor is copied)."""
    memo = {id(t): t for t in list(model.parameters())
            + list(model.buffers())}
    return copy.deepcopy(model, memo)


def to_channels_last(model: nn.Module, keep=()) -> int:
    """Put 4-D convolution weights of ``model`` in channels-last memory,
    except the tensors in ``keep`` (those shared with the eager mentor:
    a copy would double their memory, and a convolution whose input is in
    channels-last memory computes in it whatever its weight's layout).
    Returns how many were converted."""
    keep = {id(t) for t in keep}
    converted = 0
    for module in model.modules():
        if (isinstance(module, _CONVS) and 'weight' in module._parameters
                and module.weight.dim() == 4
                and id(module.weight) not in keep
                and not module.weight.is_contiguous(
                    memory_format=torch.channels_last)):
            module.weight = nn.Parameter(
                module.weight.detach().contiguous(
                    memory_format=torch.channels_last),
                requires_grad=False)
            converted += 1
    return converted


def weights_to_channels_last(model: nn.Module) -> int:
    """Store ``model``'s 4-D convolution weights in channels-last memory, in
    place: the same parameters with the same values (``state_dict`` values
    are equal, checkpoints load either way), one storage each, so a folded
    convolution's ``W * s`` (:class:`FoldedWeight`) comes out channels-last
    and needs no reordering when it runs. Returns how many were
    converted."""
    converted = 0
    for module in model.modules():
        weight = module._parameters.get('weight') if isinstance(
            module, _CONVS) else None
        if weight is not None and weight.dim() == 4 and not \
                weight.is_contiguous(memory_format=torch.channels_last):
            weight.data = weight.data.contiguous(
                memory_format=torch.channels_last)
            converted += 1
    return converted


# ---- outputs ---------------------------------------------------------------
def _leaves(outputs) -> list:
    """The tensors of ``outputs``, a tensor or nested tuples of tensors
    (e.g. the adapter's ``(outputs, features)``), in order."""
    if isinstance(outputs, (tuple, list)):
        return [leaf for o in outputs for leaf in _leaves(o)]
    return [outputs]


def _map(fn, outputs):
    """``outputs`` with ``fn`` applied to each of its tensors, same
    nesting."""
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(_map(fn, o) for o in outputs)
    return fn(outputs)


def largest_relative_difference(reference, outputs, scale_of=None) -> float:
    """``max |reference - outputs| / max |scale_of|`` per output tensor
    (``scale_of``: the same structure of tensors, default ``reference``),
    the largest over the tensors, in float32 (inf where shapes differ or a
    value is not finite in one and finite in the other)."""
    largest = 0.0
    scales = _leaves(reference if scale_of is None else scale_of)
    for ref, out, of in zip(_leaves(reference), _leaves(outputs), scales):
        if ref.shape != out.shape:
            return float('inf')
        ref, out, of = ref.float(), out.float(), of.float()
        finite = torch.isfinite(ref)
        if not torch.equal(finite, torch.isfinite(out)):
            return float('inf')
        if finite.any():
            diff = (ref - out)[finite].abs().max().item()
            finite_of = of[torch.isfinite(of)]
            scale = finite_of.abs().max().item() if finite_of.numel() \
                else 0.0
            largest = max(largest, diff / scale if scale > 0 else diff)
    return largest


# ---- the runtime -----------------------------------------------------------
def precision_context(precision: str, device: torch.device):
    """Autocast of ``precision`` on ``device``'s type (a no-op for fp32)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def native_bf16_cpu() -> bool:
    """Whether oneDNN has bfloat16 kernels for this CPU (AVX-512 or AMX);
    without them CPU bf16 runs in reference code."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def check_precision(name: str, precision: str, device: torch.device):
    if precision == 'fp16' and device.type != 'cuda':
        raise ValueError(f"Mentor {name!r}: mentor_runtime.precision='fp16' "
                         "needs a CUDA device; on the CPU use 'bf16' (with "
                         "AVX-512 or AMX) or 'fp32'.")
    if precision == 'bf16' and device.type == 'cpu' and \
            not native_bf16_cpu():
        raise ValueError(
            f"Mentor {name!r}: mentor_runtime.precision='bf16' on a CPU "
            'without bfloat16 kernels (oneDNN needs AVX-512 or AMX; this '
            f'one reports {torch.backends.cpu.get_cpu_capability()}): the '
            'mentors would run in reference code, about 20 times slower '
            "than 'fp32' (measured on an AVX2 CPU). Set "
            "mentor_runtime.precision='fp32' (and cast_weights=False), or "
            'train on a CPU with AVX-512/AMX or a GPU.')


def effective_precision(precision: str, device: torch.device) -> str:
    """``precision``, or the dtype of an enclosing autocast (e.g. the
    student's ``--amp``) that an fp32 mentor runs under."""
    if precision == 'fp32' and torch.is_autocast_enabled(device.type):
        dtype = torch.get_autocast_dtype(device.type)
        return {v: k for k, v in PRECISIONS.items()}.get(dtype, precision)
    return precision


def convert_mentor(mentor: nn.Module, options: RuntimeOptions,
                   trace: Callable[[nn.Module], object]
                   ) -> Tuple[nn.Module, int]:
    """The inference program of ``mentor`` (see the module docstring) and
    the number of BatchNorms folded. ``trace(model)`` runs one forward pass
    of ``model``; it finds the convolution/BatchNorm pairs."""
    if options.channels_last:
        weights_to_channels_last(mentor)
    program = shared_copy(mentor).eval()
    folded = 0
    if options.fold_bn:
        folded = fold_batch_norms(
            program, conv_bn_pairs(program, lambda: trace(program)))
    if options.channels_last:
        to_channels_last(program, keep=list(mentor.parameters()))
    if options.cast_weights:
        cast_program(program, PRECISIONS[options.precision])
    return program, folded


class MentorRuntime:
    """Runs one frozen mentor as its converted program.

    ``forward(model, inputs)`` is the adapter's forward (a tensor, or
    nested tuples of tensors such as ``(outputs, features)``). The first call
    builds the program from the batch it gets, runs the eager mentor and the
    program on it, logs the largest relative difference against the
    tolerance and raises ``RuntimeError`` naming the mentor if it is
    exceeded. Later calls run the program only. Outputs have the eager
    mentor's dtype and memory layout.
    """

    def __init__(self, name: str, mentor: nn.Module, options: RuntimeOptions,
                 forward: Callable[[nn.Module, Tensor], object],
                 forward_id: str = 'adapter'):
        self.name = name
        self.mentor = mentor
        self.options = options
        self.forward = forward
        #: what ``forward`` computes besides the mentor (the engine cache key)
        self.forward_id = forward_id
        self.program: Optional[nn.Module] = None
        self.engine_program = None
        self._run = None
        self.report: Dict[str, float] = {}

    def tensors(self) -> List[Tensor]:
        """Parameters and buffers of the program (most are the mentor's)."""
        if self.program is None:
            return []
        return list(self.program.parameters()) + list(self.program.buffers())

    def _call_program(self, inputs: Tensor):
        if self.options.channels_last and inputs.dim() == 4:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        with precision_context(self.options.precision, inputs.device):
            outputs = self.forward(self.program, inputs)
        if self.options.precision != 'fp32':
            return _map(lambda o: o.float().contiguous(), outputs)
        return _map(lambda o: o.contiguous(), outputs)

    def _own_call_program(self) -> Callable:
        """``self._call_program`` on a code object of this mentor's own.

        Dynamo keeps its compiled graphs per code object, up to
        ``torch._dynamo.config.recompile_limit`` (8) of them; one shared
        code object would give every mentor architecture and input shape
        a graph of that budget, and past it the mentors run eagerly.
        """
        method = MentorRuntime._call_program
        code = method.__code__.replace(
            co_name=f'mentor {self.name!r} program')
        own = types.FunctionType(code, method.__globals__, code.co_name,
                                 method.__defaults__, method.__closure__)
        return types.MethodType(own, self)

    def build(self, inputs: Tensor):
        """Convert, (compile,) and check the program on ``inputs``."""
        options = self.options
        check_precision(self.name, options.precision, inputs.device)
        if options.engine != 'torch':
            return self._build_engine(inputs)
        start = time.perf_counter()
        with torch.no_grad():
            eager = self.forward(self.mentor, inputs)
            self.program, folded = convert_mentor(
                self.mentor, options, lambda m: self.forward(m, inputs))
            run = self._call_program
            if options.compile:
                run = torch.compile(self._own_call_program())
            compile_start = time.perf_counter()
            converted = run(inputs)
        self.report = dict(
            build_s=time.perf_counter() - start,
            compile_s=time.perf_counter() - compile_start
            if options.compile else 0.0,
            folded=folded,
            max_relative_difference=largest_relative_difference(
                eager, converted),
            tolerance=options.tolerance if options.tolerance is not None
            else DEFAULT_TOLERANCE[effective_precision(options.precision,
                                                       inputs.device)])
        message = (
            f'Mentor {self.name!r}: runtime {dict(options._asdict())}; '
            f'{self.report["folded"]} BatchNorms folded; largest difference '
            f'from the eager mentor on the first batch '
            f'{self.report["max_relative_difference"]:.3g} of its largest '
            f'output (tolerance {self.report["tolerance"]:.3g})'
            + (f'; compiled in {self.report["compile_s"]:.1f} s'
               if options.compile else '') + '.')
        if not self.report['max_relative_difference'] <= \
                self.report['tolerance']:
            self.program = None
            raise RuntimeError(
                message + ' The converted mentor does not compute what the '
                'mentor computes. Set mentor_runtime=dict(fold_bn=False, '
                "channels_last=False, compile=False, precision='fp32') to "
                'run it eagerly, or raise mentor_runtime.tolerance if the '
                'difference is acceptable.')
        print_log(message, logger='current')
        self._run = run
        return converted

    def _eager(self, inputs: Tensor):
        return self.forward(self.mentor, inputs)

    def _build_engine(self, inputs: Tensor):
        """Export (or take from the cache), load and check the mentor's
        engine program on ``inputs`` (see :mod:`.mentor_engine`)."""
        options = self.options
        engine = resolve_engine(options.engine)
        start = time.perf_counter()
        with torch.no_grad():
            eager = self.forward(self.mentor, inputs)
        if engine == 'torch':
            print_log(f'Mentor {self.name!r}: engine torch (eager; '
                      "engine='auto' and onnxruntime is not installed).",
                      logger='current')
            self._run = self._eager
            return eager
        cache_dir = options.cache_dir or default_cache_dir()
        tolerance = options.tolerance if options.tolerance is not None \
            else DEFAULT_TOLERANCE[effective_precision(options.precision,
                                                       inputs.device)]
        try:
            program, exported, traced = build_engine_program(
                self.name, self.mentor, self.forward, self.forward_id,
                inputs, eager, engine, options.precision, cache_dir)
            self._probe(program, inputs, eager, traced, tolerance)
        except MentorNotExportable as error:
            reason = (f'Mentor {self.name!r} does not run on {engine}: '
                      f'{error}.')
            if options.engine != 'auto':
                raise RuntimeError(
                    reason + " Set mentor_runtime.engine='torch' for this "
                    "run, or 'auto' to run such mentors eagerly.") from error
            print_log(reason + ' It runs eagerly (engine torch).',
                      logger='current', level=logging.WARNING)
            self._run = self._eager
            return eager
        with torch.no_grad():
            converted = program(inputs)
        self.report = dict(
            engine=engine, provider=program.provider, exported=exported,
            path=program.path, build_s=time.perf_counter() - start,
            file_mib=os.path.getsize(program.path) / 2**20,
            max_relative_difference=largest_relative_difference(
                eager, converted),
            tolerance=tolerance, trace_warnings=len(traced))
        message = (
            f'Mentor {self.name!r}: engine {engine} ({program.provider}, '
            f'{options.precision}), ONNX '
            + ('exported to' if exported else 'from the cache')
            + f' {program.path}; largest difference from the eager mentor '
            f'on the first batch {self.report["max_relative_difference"]:.3g}'
            f' of its largest output (tolerance '
            f'{self.report["tolerance"]:.3g}).')
        if not self.report['max_relative_difference'] <= \
                self.report['tolerance']:
            raise RuntimeError(
                message + f' The {engine} program does not compute what the '
                "mentor computes. Set mentor_runtime.engine='torch', or "
                'raise mentor_runtime.tolerance if the difference is '
                'acceptable.')
        print_log(message, logger='current')
        self.engine_program = program
        self._run = program
        return converted

    def _probe(self, program, inputs: Tensor, eager, traced: List[str],
               tolerance: float):
        """The engine against the eager mentor on one sample (the dynamic
        batch axis) and, where the tracer warned that it fixed a Python
        value computed from a tensor, on the negated batch (other data, so
        another branch of data-dependent control flow): a difference there
        means the export holds one path of the mentor only. The one
        sample's difference is relative to the largest output of the batch
        (``eager``), as the batch's own check is: relative to one sample's
        largest output, a reduced precision's rounding on a sample with
        small outputs (a weak mentor's logits) exceeded the tolerance that
        the batch met, at random, depending on the first batch."""
        probes = [('a sub-batch of one sample', inputs[:1], eager)]
        if traced:
            probes.append(('the negated batch', -inputs, None))
        for what, probe, scale_of in probes:
            with torch.no_grad():
                difference = largest_relative_difference(
                    self.forward(self.mentor, probe), program(probe),
                    scale_of)
            if not difference <= tolerance:
                raise MentorNotExportable(
                    f'on {what} it differs from the eager mentor by '
                    f'{difference:.3g} of the largest output (tolerance '
                    f'{tolerance:.3g})'
                    + (f'; the tracer warned: {traced[0]}' if traced
                       else ''))

    def __call__(self, inputs: Tensor):
        if self._run is None:
            return self.build(inputs)
        return self._run(inputs)
