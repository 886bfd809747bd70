"""Builds the program that runs a frozen mentor (:mod:`.mentor_program`'s
protocol) from its options, on the first batch, and checks it once against
the eager mentor."""
import logging
from typing import Any, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from torch import Tensor

from .compiled_program import CompiledProgram
from .eager_program import EagerProgram
from .engine_program import build_engine_program
from .mentor_program import (MentorForward, MentorNotExportable,
                             MentorProgram, ProgramOptions,
                             check_against_eager, engine_installed,
                             program_options, tolerance_of)


def resolve_engine(engine: str, device: Optional[torch.device] = None
                   ) -> str:
    """``engine`` with 'auto' resolved: onnxruntime where installed (for
    CUDA mentors: onnxruntime-gpu, with its CUDA provider), else eager."""
    if engine != 'auto':
        return engine
    if not engine_installed('onnxruntime'):
        return 'eager'
    if device is not None and device.type != 'cpu':
        import onnxruntime
        if device.type != 'cuda' or 'CUDAExecutionProvider' not in \
                onnxruntime.get_available_providers():
            return 'eager'
    return 'onnxruntime'


def make_program(kind: str, name: str, mentor: nn.Module, forward: MentorForward,
          forward_id: str, options: ProgramOptions, inputs: Tensor, eager
          ) -> MentorProgram:
    if kind in ('eager', 'file'):
        return EagerProgram(name, mentor, forward, kind=kind)
    if kind == 'compiled':
        return CompiledProgram(name, mentor, forward, options.precision)
    return build_engine_program(name, mentor, forward, forward_id, kind,
                                options, inputs, eager)


def build_program(name: str, mentor: nn.Module, forward: MentorForward,
                  forward_id: str, options: ProgramOptions, inputs: Tensor
                  ) -> Tuple[MentorProgram, Any]:
    """Build the program ``options`` ask for on the first batch ``inputs``,
    check it once against the eager mentor (:func:`check_against_eager`),
    log :meth:`MentorProgram.describe` and return ``(program, its outputs
    on inputs)``.

    ``forward_id`` names what ``forward`` computes besides the module
    (adapter or bridge; part of the engine cache key). A module whose class
    sets ``mentor_program_kind = 'file'`` runs as it is (kind 'file').
    With ``engine='auto'`` a mentor that does not export, or whose export
    fails the check, runs eagerly (the log line, a warning, says why); with
    an explicit engine that is a ``RuntimeError`` naming the mentor and the
    fix.
    """
    options = program_options(options)
    if getattr(type(mentor), 'mentor_program_kind', None) == 'file':
        kind = 'file'
    else:
        kind = resolve_engine(options.engine, inputs.device)
    check_device_precision(name, kind, options.precision, inputs.device)
    with torch.no_grad():
        eager = forward(mentor, inputs)
    tolerance = tolerance_of(options, inputs.device)
    if kind in ('eager', 'file'):
        program = make_program(kind, name, mentor, forward, forward_id, options,
                        inputs, eager)
        program.report.update(max_relative_difference=0.0,
                              tolerance=tolerance)
        print_log(program.describe(), logger='current')
        return program, eager
    try:
        program = make_program(kind, name, mentor, forward, forward_id, options,
                        inputs, eager)
        outputs = check_against_eager(program, mentor, forward, inputs,
                                      eager, tolerance)
    except MentorNotExportable as error:
        reason = f'Mentor {name!r} does not run on {kind}: {error}'
        if options.engine != 'auto':
            raise RuntimeError(
                reason + ". Set mentor_runtime.engine='eager' for this run, "
                "or 'auto' to run such mentors eagerly.") from error
        program = make_program('eager', name, mentor, forward, forward_id, options,
                        inputs, eager)
        program.report.update(max_relative_difference=0.0,
                              tolerance=tolerance, fallback=str(error))
        print_log(reason + '; it runs eagerly. ' + program.describe(),
                  logger='current', level=logging.WARNING)
        return program, eager
    print_log(program.describe(), logger='current')
    return program, outputs


def native_bf16_cpu() -> bool:
    """Whether oneDNN has bfloat16 kernels for this CPU (AVX-512 or AMX);
    without them CPU bf16 runs in reference code."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def check_device_precision(name: str, kind: str, precision: str,
                           device: torch.device):
    """A precision the device cannot run is an error naming the mentor."""
    if precision == 'fp16' and device.type != 'cuda':
        raise ValueError(f"Mentor {name!r}: mentor_runtime.precision='fp16' "
                         "needs a CUDA device; on the CPU use 'bf16' (with "
                         "AVX-512 or AMX) or 'fp32'.")
    if precision == 'bf16' and kind == 'compiled' and \
            device.type == 'cpu' and not native_bf16_cpu():
        raise ValueError(
            f"Mentor {name!r}: mentor_runtime.precision='bf16' on a CPU "
            'without bfloat16 kernels (oneDNN needs AVX-512 or AMX; this '
            f'one reports {torch.backends.cpu.get_cpu_capability()}): the '
            'mentors would run in reference code, about 20 times slower '
            "than 'fp32'. Set mentor_runtime.precision='fp32', or train on "
            'a CPU with AVX-512/AMX or a GPU.')
