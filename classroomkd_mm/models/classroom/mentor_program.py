"""What runs a frozen mentor in the training step: a mentor program.

A mentor never trains, so what computes its outputs may be something other
than its module: the module itself (``'eager'``), the module under
``torch.compile`` and autocast (``'compiled'``), or an ONNX export of it on
an inference engine (``'onnxruntime'``, ``'openvino'``). A mentor given as a
file (a module whose class sets ``mentor_program_kind = 'file'``) runs as it
is (``'file'``). :func:`check_against_eager` is the one check of every kind of program
against the eager mentor; :func:`.program_builder.build_program` builds the
program the options ask for on the first batch and runs that check once.
"""
import contextlib
from typing import Any, Callable, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from ..setting_checks import options_from_dict

#: the adapter's or the bridge's forward of one mentor module on the
#: student's preprocessed batch -> ``(outputs, features)``; outputs a tensor
#: or a tuple of tensors
MentorForward = Callable[[nn.Module, Tensor], Tuple[Any, Tuple[Tensor, ...]]]

#: 'auto': onnxruntime where it is installed and the mentor exports, else
#: eager (one log line per mentor says which)
ENGINES = ('eager', 'compiled', 'onnxruntime', 'openvino', 'auto')
PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
#: the precisions each kind runs ('fp16': CUDA only; onnxruntime's through
#: its TensorRT provider)
ENGINE_PRECISIONS = {'eager': ('fp32', ),
                     'compiled': ('fp32', 'bf16', 'fp16'),
                     'onnxruntime': ('fp32', 'fp16'),
                     'openvino': ('fp32', 'bf16'),
                     'auto': ('fp32', )}
#: largest |eager - program| accepted, as a fraction of max |eager output|,
#: per precision (or per the dtype of an enclosing autocast)
DEFAULT_TOLERANCE = {'fp32': 1e-4, 'bf16': 5e-2, 'fp16': 1e-2}
#: options of the old ``RuntimeOptions`` and what replaced them
REMOVED_OPTIONS = {
    'fold_bn': "engine='onnxruntime' or 'openvino' (the engines fuse "
               'BatchNorm themselves); the hand-written folding is gone',
    'channels_last': "engine='onnxruntime' or 'openvino' (the engines "
                     'choose their layouts); the channels-last switch is '
                     'gone',
    'cast_weights': "engine='openvino', precision='bf16' (or "
                    "engine='compiled' with a reduced precision); weight "
                    'casting is gone',
    'compile': "engine='compiled'",
}


class ProgramOptions(NamedTuple):
    """``mentor_runtime=dict(...)``: how each frozen mentor runs.

    ``engine``: 'eager' (the module), 'compiled' (``torch.compile`` with
    autocast of ``precision``: the GPU path where onnxruntime-gpu is absent),
    'onnxruntime' (fp32; on CUDA with onnxruntime-gpu, fp16 through its
    TensorRT provider), 'openvino' (CPU, fp32 or bf16 where the CPU has
    bf16) or 'auto' (onnxruntime where installed and the mentor exports,
    else eager). ``tolerance``: the largest difference from the eager mentor,
    relative to its largest output, accepted by the check (default
    :data:`DEFAULT_TOLERANCE` of the precision, or of an enclosing
    autocast's dtype). ``cache_dir``: where engine exports are cached
    (default ``<work_dir>/mentor_engine``).

    The default, ``engine='auto'``, was decided from measurements
    (docs/performance.md, mentor programs): onnxruntime fp32 is exact to
    the fp32 tolerance (2e-7 to 1.2e-6 of the largest output), faster than
    the eager mentors in every setting measured, and, holding the only copy
    of the weights, within the eager step's memory bound.
    """
    engine: str = 'auto'
    precision: str = 'fp32'
    tolerance: Optional[float] = None
    cache_dir: Optional[str] = None


def program_options(cfg: Optional[dict]) -> ProgramOptions:
    """Validate ``mentor_runtime`` (None: the defaults); a removed option
    is an error naming what replaced it."""
    if cfg is None:
        return ProgramOptions()
    if isinstance(cfg, ProgramOptions):
        return cfg
    if isinstance(cfg, dict):
        removed = [k for k in cfg if k in REMOVED_OPTIONS]
        if removed:
            raise ValueError(
                'mentor_runtime: ' + '; '.join(
                    f'{k!r} was removed, use {REMOVED_OPTIONS[k]}'
                    for k in removed) + '.')
        if cfg.get('engine') == 'torch':
            raise ValueError(
                "mentor_runtime.engine='torch' was removed: use "
                "engine='eager' (the module as it is) or 'compiled' "
                '(torch.compile).')
    options = options_from_dict(
        'mentor_runtime', ProgramOptions, cfg,
        "dict(engine='auto', precision='fp32')")
    if options.engine not in ENGINES:
        raise ValueError(f'mentor_runtime.engine must be one of '
                         f'{list(ENGINES)}, got {options.engine!r}.')
    if options.precision not in PRECISIONS:
        raise ValueError(f'mentor_runtime.precision must be one of '
                         f'{list(PRECISIONS)}, got {options.precision!r}.')
    allowed = ENGINE_PRECISIONS[options.engine]
    if options.precision not in allowed:
        raise ValueError(
            f'mentor_runtime: engine={options.engine!r} runs precision '
            f'{list(allowed)}, got {options.precision!r} (bf16 on the CPU: '
            "engine='openvino' or 'compiled').")
    if options.tolerance is not None and not (
            isinstance(options.tolerance, (int, float))
            and not isinstance(options.tolerance, bool)
            and 0 < options.tolerance < 1):
        raise ValueError('mentor_runtime.tolerance must be a number in '
                         f'(0, 1), got {options.tolerance!r}.')
    if options.cache_dir is not None and not (
            isinstance(options.cache_dir, str) and options.cache_dir):
        raise TypeError('mentor_runtime.cache_dir must be a directory path '
                        f'(or None: the work dir), got '
                        f'{options.cache_dir!r}.')
    if options.engine in ('onnxruntime', 'openvino') and \
            not engine_installed(options.engine):
        raise ValueError(
            f'mentor_runtime.engine={options.engine!r} is not installed; '
            f'`pip install {options.engine}` (requirements/*.txt), or set '
            "engine='auto' or 'eager'.")
    return options


def engine_installed(engine: str) -> bool:
    """Whether the package of ``engine`` ('onnxruntime', 'openvino')
    imports."""
    try:
        __import__(engine)
    except ImportError:
        return False
    return True


class MentorNotExportable(RuntimeError):
    """The mentor's forward does not run on an engine: an op without an
    ONNX symbolic, Python control flow on tensor values, an output without
    a batch axis, or an engine that cannot load the export."""


class MentorProgram:
    """What runs one frozen mentor: ``program(inputs)`` returns the
    mentor's ``(outputs, features)`` on the student's preprocessed batch,
    float32 and contiguous, as the eager forward nests them.

    ``kind`` is 'eager', 'compiled', 'onnxruntime', 'openvino' or 'file';
    ``needs_module`` is False when the program holds all it runs (the
    classroom may then free the eager module). ``report`` holds what
    :func:`.program_builder.build_program` measured (``max_relative_difference``,
    ``tolerance``) and what the implementation adds (e.g. the engine's
    ``path``).
    """
    kind = 'eager'
    needs_module = True

    def __init__(self, name: str):
        self.name = name
        self.report: dict = {}

    def __call__(self, inputs: Tensor) -> Tuple[Any, Tuple[Tensor, ...]]:
        raise NotImplementedError

    def runs(self) -> str:
        """What runs the mentor, in a few words (the implementations')."""
        return self.kind

    def describe(self) -> str:
        """The one log line: what runs this mentor and how it compared
        with the eager mentor."""
        line = f'Mentor {self.name!r}: {self.runs()}'
        if 'max_relative_difference' in self.report:
            line += (f'; largest difference from the eager mentor '
                     f'{self.report["max_relative_difference"]:.3g} of its '
                     f'largest output (tolerance '
                     f'{self.report["tolerance"]:.3g})')
        return line + '.'


# ---- the check -------------------------------------------------------------
def _leaves(outputs) -> list:
    """The tensors of ``outputs``, a tensor or nested tuples/lists of
    tensors, in order."""
    if isinstance(outputs, (tuple, list)):
        return [leaf for o in outputs for leaf in _leaves(o)]
    return [outputs]


def largest_relative_difference(reference, outputs, scale_of=None) -> float:
    """``max |reference - outputs| / max |scale_of|`` per output tensor
    (``scale_of``: the same structure of tensors, default ``reference``),
    the largest over the tensors, in float32 (inf where the structures or
    shapes differ or a value is finite in one and not in the other)."""
    references = _leaves(reference)
    others = _leaves(outputs)
    scales = _leaves(reference if scale_of is None else scale_of)
    if len(references) != len(others):
        return float('inf')
    largest = 0.0
    for ref, out, of in zip(references, others, scales):
        if not isinstance(out, Tensor) or ref.shape != out.shape:
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


def precision_context(precision: str, device: torch.device):
    """Autocast of ``precision`` on ``device``'s type (a no-op for fp32)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def effective_precision(precision: str, device: torch.device) -> str:
    """``precision``, or the dtype of an enclosing autocast (e.g. the
    student's ``--amp``) that an fp32 mentor runs under."""
    if precision == 'fp32' and torch.is_autocast_enabled(device.type):
        dtype = torch.get_autocast_dtype(device.type)
        return {v: k for k, v in PRECISIONS.items()}.get(dtype, precision)
    return precision


def tolerance_of(options: ProgramOptions, device: torch.device) -> float:
    if options.tolerance is not None:
        return float(options.tolerance)
    return DEFAULT_TOLERANCE[effective_precision(options.precision, device)]


def check_against_eager(program: MentorProgram, mentor: nn.Module,
                        forward: MentorForward, inputs: Tensor, eager,
                        tolerance: float):
    """The one check: the program against the eager mentor on the first
    batch and, for an engine program (a graph traced on one batch; a
    compiled graph guards what it specialised on), on a sub-batch of one
    sample (a batch axis that is really dynamic) and on an independent batch (the first batch's
    samples reversed in order and scaled by one half: a graph frozen on a
    statistic of the first batch, such as ``if inputs.abs().mean() > t``,
    may take the other branch there). Each difference is relative to the
    largest eager output of the first batch. Returns the program's outputs
    on ``inputs``; raises :class:`MentorNotExportable` on a difference above
    ``tolerance``, saying on what."""
    with torch.no_grad():
        outputs = program(inputs)
    difference = largest_relative_difference(eager, outputs)
    program.report.update(max_relative_difference=difference,
                          tolerance=tolerance)
    probes = [('the first batch', None)]
    if program.kind in ('onnxruntime', 'openvino'):
        probes += [('a sub-batch of one sample', inputs[:1]),
                   ('an independent batch (the first one reversed and '
                    'halved)', inputs.flip(0) * 0.5)]
    for what, probe in probes:
        if probe is not None:
            with torch.no_grad():
                difference = largest_relative_difference(
                    forward(mentor, probe), program(probe), eager)
        if not difference <= tolerance:
            raise MentorNotExportable(
                f'on {what} it differs from the eager mentor by '
                f'{difference:.3g} of the largest output (tolerance '
                f'{tolerance:.3g}; raise mentor_runtime.tolerance if that '
                'difference is acceptable)')
    return outputs
