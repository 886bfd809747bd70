"""ONNX files written and run by the library and its tools: the export (one
dynamic batch axis, TorchScript exporter, opset 17), onnxruntime sessions
and a file's sha256.

Trust: an ONNX file is a graph of standard operators and weights; loading
it with onnxruntime or OpenVINO runs no Python code, but a hostile graph
can still exhaust memory or hit a bug in the engine's parser. The library
only loads files it exported itself whose sha256 matches the sidecar it
wrote (:mod:`classroomkd_mm.models.classroom.engine_program`); custom-op
libraries are never registered.
"""
import contextlib
import hashlib
import io
import logging
import os.path as osp
import warnings
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

OPSET = 17
INPUT_NAME = 'inputs'
#: tracer warnings that say a Python value was computed from a tensor and
#: frozen into the graph: from its shape (harmless at fixed sizes, such as
#: mmcv's ``x.numel() == 0``) or from its values (the export holds one path
#: of the module's control flow only); :func:`value_dependence` tells which
CONVERSION_WARNINGS = ('Converting a tensor to a Python',
                        'Converting a tensor to a NumPy',
                        'Iterating over a tensor')


def file_sha256(path: str) -> str:
    """The sha256 hex digest of the file at ``path``, read in 1 MiB
    blocks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def export_onnx(module: nn.Module, example: Tensor, path: str,
                output_names: Sequence[str], input_name: str = INPUT_NAME,
                opset: int = OPSET) -> List[str]:
    """Export ``module(example)`` (in eval mode, without gradients) to ONNX
    at ``path``, with the batch axis of the input and of every output
    dynamic. Returns the tracer's warnings, each as its first line and
    ``(file:line)``; :func:`data_dependent` picks those that make the export
    hold one path of the module only. The exporter's own errors
    propagate."""
    dynamic = {n: {0: 'batch'} for n in (input_name, *output_names)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', torch.jit.TracerWarning)
        # torch 2.9+ deprecates the TorchScript exporter in favour of the
        # dynamo one, which needs onnxscript (not installed here)
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        with torch.no_grad():
            torch.onnx.export(
                module, (example, ), path, dynamo=False,
                opset_version=opset, input_names=[input_name],
                output_names=list(output_names), dynamic_axes=dynamic,
                do_constant_folding=True,
                training=torch.onnx.TrainingMode.EVAL)
    return sorted({
        f'{str(w.message).split(". ")[0].splitlines()[0][:120]} '
        f'({osp.basename(w.filename)}:{w.lineno})' for w in caught
        if issubclass(w.category, torch.jit.TracerWarning)})


def conversions(trace_warnings: Sequence[str]) -> List[str]:
    """The warnings of :func:`export_onnx` that say a tensor became a
    Python value (a branch, a loop bound, a number) fixed in the graph."""
    return [w for w in trace_warnings if w.startswith(CONVERSION_WARNINGS)]


def value_dependence(module: nn.Module, example: Tensor) -> Optional[str]:
    """Why ``module(example)`` may compute a Python value from its input's
    values (None: it does not). ``torch.export`` (non-strict) traces with
    symbolic values: a branch on a value (``if x.mean() > 0``) cannot be
    decided there and raises, a test of a static shape can. Any other
    failure of ``torch.export`` is returned too: then nothing shows the
    conversions harmless."""
    torch_logger = logging.getLogger('torch')
    level = torch_logger.level
    torch_logger.setLevel(logging.CRITICAL)
    try:
        # on failure it also prints the graph traced so far to stderr
        with torch.no_grad(), warnings.catch_warnings(), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter('ignore')
            torch.export.export(module, (example, ), strict=False)
    except Exception as error:  # torch.export raises many kinds
        first = str(error).strip().splitlines()[0] if str(error) else ''
        return f'{type(error).__name__}: {first[:200]}'
    finally:
        torch_logger.setLevel(level)
    return None


def onnxruntime_session_options(threads: int = 1):
    """onnxruntime session options: ``threads`` intra-op threads, one
    inter-op thread, all graph optimisations, activations allocated per
    run and freed (no memory arena: as torch does, and no slower, measured),
    no busy-waiting worker threads, warnings and errors only."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = \
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    options.log_severity_level = 3
    return options


def onnxruntime_session(path: str, threads: int = 1,
                        providers: Sequence = ('CPUExecutionProvider', )):
    """An onnxruntime session of the ONNX file at ``path``
    (:func:`onnxruntime_session_options`) on ``providers``."""
    import onnxruntime as ort
    return ort.InferenceSession(path, onnxruntime_session_options(threads),
                                providers=list(providers))
