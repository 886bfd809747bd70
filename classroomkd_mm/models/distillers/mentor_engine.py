"""Frozen mentors on an inference engine (onnxruntime or OpenVINO).

A mentor never trains, so its forward pass (the adapter's or the bridge's:
head outputs *and* the features the head consumed) is exported once to ONNX
(TorchScript exporter, opset 17, a dynamic batch axis so that mentor
skipping can run sub-batches) and run by an engine session.

Cache: ``<cache_dir>/<key>.onnx`` with a sidecar ``<key>.json`` holding the
key, the file's size and sha256 and the outputs' shapes. The key is the
sha256 of what the program depends on: the mentor's module (its ``repr``:
architecture and hyper-parameters, i.e. its config), its weights (every
``state_dict`` tensor, i.e. the checkpoint as loaded), the forward that is
exported (adapter or bridge, with the bridge's input size), the input's
per-sample shape and dtype, and the torch/onnx versions and opset. A file
whose sidecar is missing, unreadable, of another key, or whose size or
sha256 differ, or that ``onnx.checker`` refuses, is rebuilt, never used.
Files are written under temporary names and moved into place, the sidecar
last, so a run killed while exporting leaves no file that looks complete.

Sessions are not picklable: :class:`EngineProgram` drops its session when
pickled or deep-copied and loads it again (from the verified cache file)
at its next call.
"""
import hashlib
import json
import logging
import os
import os.path as osp
import tempfile
import warnings
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MMLogger, print_log
from torch import Tensor
from torch.utils._pytree import tree_flatten, tree_unflatten

#: 'torch': the module itself (mentor_runtime.py's options);
#: 'auto': onnxruntime where it is installed, else 'torch', and a mentor
#: that does not export runs eagerly with a warning.
ENGINES = ('torch', 'onnxruntime', 'openvino', 'auto')
#: precisions each engine runs ('fp16' through TensorRT only)
ENGINE_PRECISIONS = {'onnxruntime': ('fp32', 'fp16'),
                     'openvino': ('fp32', 'bf16')}
OPSET = 17
CACHE_FORMAT = 1
INPUT_NAME = 'inputs'


class MentorNotExportable(RuntimeError):
    """The mentor's forward pass does not export to ONNX (a custom or
    unsupported op, data-dependent control flow, an output without a batch
    axis)."""


def engine_installed(engine: str) -> bool:
    module = {'onnxruntime': 'onnxruntime', 'openvino': 'openvino'}[engine]
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def resolve_engine(engine: str) -> str:
    """``engine`` with 'auto' resolved (onnxruntime if installed)."""
    if engine == 'auto':
        return 'onnxruntime' if engine_installed('onnxruntime') else 'torch'
    return engine


def default_cache_dir() -> str:
    """The Runner's work dir (the current logger's file is
    ``<work_dir>/<timestamp>/<timestamp>.log``), else a directory under
    the system's temporary directory."""
    logger = MMLogger.get_current_instance()
    for handler in logger.handlers:
        name = getattr(handler, 'baseFilename', None)
        if name:
            return osp.join(osp.dirname(osp.dirname(name)), 'mentor_engine')
    return osp.join(tempfile.gettempdir(), 'classroomkd_mentor_engine')


# ---- export ----------------------------------------------------------------
class FlatForward(nn.Module):
    """``forward(mentor, inputs)`` as a module returning its tensors as one
    flat tuple (what ONNX outputs are)."""

    def __init__(self, mentor: nn.Module, forward: Callable):
        super().__init__()
        self.mentor = mentor
        self.__dict__['run'] = forward  # a function, not a submodule

    def forward(self, inputs: Tensor):
        return tuple(tree_flatten(self.run(self.mentor, inputs))[0])


def _hash_tensor(h, tensor: Tensor):
    data = tensor.detach().cpu().contiguous()
    h.update(f'{data.dtype}{tuple(data.shape)}'.encode())
    if data.numel():
        h.update(data.reshape(-1).view(torch.uint8).numpy().data)


def mentor_key(mentor: nn.Module, forward_id: str, inputs: Tensor) -> str:
    """The cache key (see the module docstring)."""
    import onnx
    h = hashlib.sha256()
    h.update(f'format {CACHE_FORMAT} torch {torch.__version__} onnx '
             f'{onnx.__version__} opset {OPSET}\n'.encode())
    h.update(f'{forward_id}\n{tuple(inputs.shape[1:])} {inputs.dtype}\n'
             .encode())
    h.update(repr(mentor).encode())
    for name, tensor in mentor.state_dict().items():
        h.update(name.encode())
        _hash_tensor(h, tensor)
    return h.hexdigest()


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def export_mentor(name: str, mentor: nn.Module, forward: Callable,
                  inputs: Tensor, path: str
                  ) -> Tuple[List[Tuple[int, ...]], List[str]]:
    """Export ``forward(mentor, ·)`` to ONNX at ``path`` with a dynamic
    batch axis; returns each output's per-sample shape and the tracer's
    warnings (a Python value computed from a tensor was fixed in the
    trace: a shape test, harmless with fixed crop sizes, or data-dependent
    control flow, which :class:`MentorRuntime` probes for). Raises
    :class:`MentorNotExportable` naming the op or the reason."""
    flat = FlatForward(mentor, forward).eval()
    with torch.no_grad():
        leaves = flat(inputs)
    size = inputs.shape[0]
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, Tensor) or leaf.dim() == 0 or \
                leaf.shape[0] != size:
            raise MentorNotExportable(
                f'output {i} has no batch axis (shape '
                f'{getattr(leaf, "shape", type(leaf).__name__)}, batch '
                f'{size})')
    names = [f'output{i}' for i in range(len(leaves))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', torch.jit.TracerWarning)
        # the TorchScript exporter (onnxscript, which dynamo=True needs,
        # is not installed) warns that it is deprecated
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        try:
            with torch.no_grad():
                torch.onnx.export(
                    flat, (inputs, ), path, dynamo=False,
                    opset_version=OPSET, input_names=[INPUT_NAME],
                    output_names=names,
                    dynamic_axes={n: {0: 'batch'}
                                  for n in [INPUT_NAME] + names},
                    do_constant_folding=True,
                    training=torch.onnx.TrainingMode.EVAL)
        except Exception as error:  # the exporter raises many kinds
            raise MentorNotExportable(
                f'{type(error).__name__}: {str(error).splitlines()[0]}'
                if str(error) else type(error).__name__) from error
    traced = sorted({
        f'{str(w.message).splitlines()[0][:90]} '
        f'({osp.basename(w.filename)}:{w.lineno})' for w in caught
        if issubclass(w.category, torch.jit.TracerWarning)})
    return [tuple(leaf.shape[1:]) for leaf in leaves], traced


def _replace_atomically(write: Callable[[str], object], path: str):
    directory = osp.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-',
                               suffix=osp.basename(path))
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def cached_file_problem(path: str, sidecar: str, key: str) -> Optional[str]:
    """Why the cached ``path`` may not be used (None: it may)."""
    if not osp.exists(path) or not osp.exists(sidecar):
        return 'not cached'
    try:
        with open(sidecar) as f:
            meta = json.load(f)
    except (OSError, ValueError) as error:
        return f'unreadable sidecar ({error})'
    if not isinstance(meta, dict) or meta.get('key') != key:
        return 'the sidecar is for another mentor or version'
    if os.path.getsize(path) != meta.get('size'):
        return 'size differs from the sidecar (truncated or replaced)'
    if file_sha256(path) != meta.get('sha256'):
        return 'sha256 differs from the sidecar (modified or replaced)'
    import onnx
    try:
        onnx.checker.check_model(path)
    except Exception as error:  # onnx raises several kinds
        return f'onnx.checker refuses it ({type(error).__name__})'
    return None


def cached_export(name: str, mentor: nn.Module, forward: Callable,
                  forward_id: str, inputs: Tensor, cache_dir: str
                  ) -> Tuple[str, bool, List[str]]:
    """The verified ONNX file of the mentor, exported unless a valid one is
    cached; returns ``(path, exported, tracer warnings)``."""
    os.makedirs(cache_dir, exist_ok=True)
    key = mentor_key(mentor, forward_id, inputs)
    path = osp.join(cache_dir, f'{key}.onnx')
    sidecar = osp.join(cache_dir, f'{key}.json')
    problem = cached_file_problem(path, sidecar, key)
    if problem is None:
        with open(sidecar) as f:
            return path, False, list(json.load(f).get('trace_warnings', []))
    if problem != 'not cached':
        print_log(f'Mentor {name!r}: cached engine file {path} not used: '
                  f'{problem}; exporting again.', logger='current',
                  level=logging.WARNING)
    for stale in (sidecar, path):
        if osp.exists(stale):
            os.remove(stale)
    exported = []
    _replace_atomically(lambda tmp: exported.extend(export_mentor(
        name, mentor, forward, inputs, tmp)), path)
    shapes, traced = exported
    meta = dict(key=key, mentor=name, size=os.path.getsize(path),
                sha256=file_sha256(path), output_shapes=shapes,
                trace_warnings=traced, torch=torch.__version__, opset=OPSET)

    def write_sidecar(tmp):
        with open(tmp, 'w') as f:
            json.dump(meta, f, indent=1)

    _replace_atomically(write_sidecar, sidecar)
    return path, True, traced


# ---- sessions --------------------------------------------------------------
def onnxruntime_providers(device: torch.device, precision: str,
                          available: Sequence[str], cache_dir: str,
                          input_shape: Tuple[int, ...]) -> list:
    """onnxruntime execution providers for mentors on ``device``: the CPU
    provider on a CPU; on CUDA, TensorRT (when onnxruntime-gpu has it; with
    a batch profile from 1 to the first batch's size) then CUDA, both on
    torch's current stream so that no extra synchronisation is needed."""
    if device.type == 'cpu':
        if precision != 'fp32':
            raise ValueError(
                "mentor_runtime: engine='onnxruntime' on the CPU runs "
                f"precision='fp32' only, got {precision!r}; for bf16 on the "
                "CPU use engine='openvino'.")
        return ['CPUExecutionProvider']
    if device.type != 'cuda':
        raise ValueError(f"mentor_runtime: engine='onnxruntime' runs on "
                         f'the CPU or CUDA, not {device.type!r}.')
    if 'CUDAExecutionProvider' not in available:
        raise ValueError(
            "mentor_runtime: engine='onnxruntime' with CUDA mentors needs "
            'onnxruntime-gpu (installed providers: '
            f"{list(available)}); `pip install onnxruntime-gpu`, or set "
            "engine='torch'.")
    index = device.index if device.index is not None else \
        torch.cuda.current_device()
    stream = str(torch.cuda.current_stream(index).cuda_stream)
    cuda = ('CUDAExecutionProvider',
            dict(device_id=str(index), has_user_compute_stream='1',
                 user_compute_stream=stream))
    if 'TensorrtExecutionProvider' not in available:
        if precision != 'fp32':
            raise ValueError(
                "mentor_runtime: engine='onnxruntime' with precision="
                f"{precision!r} needs the TensorRT execution provider; "
                "set precision='fp32' or engine='torch'.")
        return [cuda]
    dims = 'x'.join(str(d) for d in input_shape[1:])
    profile = lambda n: f'{INPUT_NAME}:{n}x{dims}'  # noqa: E731
    trt = ('TensorrtExecutionProvider', dict(
        device_id=str(index), has_user_compute_stream='1',
        user_compute_stream=stream,
        trt_fp16_enable=str(precision == 'fp16'),
        trt_engine_cache_enable='True', trt_engine_cache_path=cache_dir,
        trt_profile_min_shapes=profile(1),
        trt_profile_opt_shapes=profile(input_shape[0]),
        trt_profile_max_shapes=profile(input_shape[0])))
    return [trt, cuda]


class EngineProgram:
    """One mentor's exported forward on an engine session.

    ``__call__(inputs)`` returns what the eager forward returns (same
    nesting, float32, contiguous). On the CPU the input is handed over as a
    numpy view of the (contiguous float32) tensor and onnxruntime's outputs
    become tensors without a copy (``torch.from_numpy``); OpenVINO's output
    buffers belong to its infer request and are reused by the next call, so
    they are copied (the outputs are small: heatmaps, logits, features). On
    CUDA (onnxruntime-gpu) inputs and outputs are bound to torch's memory
    (IO binding) and the run is not synchronised (torch's stream).
    """

    def __init__(self, name: str, engine: str, precision: str, path: str,
                 spec, output_shapes: List[Tuple[int, ...]],
                 device: torch.device, input_shape: Tuple[int, ...],
                 cache_dir: str):
        self.name, self.engine, self.precision = name, engine, precision
        self.path, self.spec = path, spec
        self.output_shapes = [tuple(s) for s in output_shapes]
        self.device, self.input_shape = device, tuple(input_shape)
        self.cache_dir = cache_dir
        self.session = None
        self.threads = None
        self.provider = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state['session'] = None  # not picklable; loaded again when called
        return state

    def load(self):
        """Open the session (at the current torch thread count)."""
        self.threads = torch.get_num_threads()
        if self.engine == 'onnxruntime':
            self._load_onnxruntime()
        else:
            self._load_openvino()

    def _load_onnxruntime(self):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # activations allocated per run and freed, as torch does, rather
        # than held in one arena per mentor (no slower, measured)
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = \
            ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting worker threads: the CPU time is the mentors'
        options.add_session_config_entry('session.intra_op.allow_spinning',
                                         '0')
        options.log_severity_level = 3
        providers = onnxruntime_providers(
            self.device, self.precision, ort.get_available_providers(),
            self.cache_dir, self.input_shape)
        self.session = ort.InferenceSession(self.path, options,
                                            providers=providers)
        self.provider = self.session.get_providers()[0]
        self.output_names = [o.name for o in self.session.get_outputs()]
        if self.device.type == 'cuda':
            self.run_options = ort.RunOptions()
            # torch's stream orders the work: no sync at the end of a run
            self.run_options.add_run_config_entry(
                'disable_synchronize_execution_providers', '1')

    def _load_openvino(self):
        import openvino as ov
        if self.device.type != 'cpu':
            raise ValueError(
                "mentor_runtime: engine='openvino' runs CPU mentors; these "
                f"are on {self.device}. Use engine='onnxruntime' "
                "(onnxruntime-gpu) or 'torch'.")
        core = ov.Core()
        config = {'INFERENCE_PRECISION_HINT':
                  'bf16' if self.precision == 'bf16' else 'f32',
                  'INFERENCE_NUM_THREADS': self.threads,
                  'PERFORMANCE_HINT': 'LATENCY',
                  'NUM_STREAMS': 1}
        if self.precision == 'bf16' and 'bf16' not in \
                core.get_property('CPU', 'OPTIMIZATION_CAPABILITIES') \
                and 'BF16' not in core.get_property(
                    'CPU', 'OPTIMIZATION_CAPABILITIES'):
            raise ValueError(
                f"Mentor {self.name!r}: mentor_runtime.precision='bf16' with "
                "engine='openvino' needs a CPU with bf16 (AVX-512 BF16 or "
                "AMX); OpenVINO reports "
                f"{core.get_property('CPU', 'OPTIMIZATION_CAPABILITIES')}. "
                "Set precision='fp32'.")
        model = core.read_model(self.path)
        self.session = core.compile_model(model, 'CPU', config)
        self.request = self.session.create_infer_request()
        self.provider = f'OpenVINO CPU {self.precision}'

    def __call__(self, inputs: Tensor):
        if self.session is None or self.threads != torch.get_num_threads():
            self.load()
        inputs = inputs.detach()
        if inputs.dtype != torch.float32:
            inputs = inputs.float()
        inputs = inputs.contiguous()
        if self.device.type == 'cuda':
            leaves = self._run_cuda(inputs)
        elif self.engine == 'onnxruntime':
            leaves = [torch.from_numpy(o) for o in self.session.run(
                self.output_names, {INPUT_NAME: inputs.numpy()})]
        else:
            self.request.infer({0: inputs.numpy()}, share_inputs=True)
            leaves = [torch.from_numpy(self.request.get_output_tensor(i)
                                       .data.copy())
                      for i in range(len(self.output_shapes))]
        return tree_unflatten(leaves, self.spec)

    def _run_cuda(self, inputs: Tensor) -> List[Tensor]:
        """IO binding: onnxruntime reads ``inputs`` and writes outputs that
        torch allocated, on the device, on torch's stream."""
        import numpy as np
        binding = self.session.io_binding()
        index = inputs.device.index or 0
        binding.bind_input(INPUT_NAME, 'cuda', index, np.float32,
                           tuple(inputs.shape), inputs.data_ptr())
        outputs = []
        for name, shape in zip(self.output_names, self.output_shapes):
            out = torch.empty((inputs.shape[0], *shape), device=inputs.device,
                              dtype=torch.float32)
            binding.bind_output(name, 'cuda', index, np.float32,
                                tuple(out.shape), out.data_ptr())
            outputs.append(out)
        self.session.run_with_iobinding(binding, self.run_options)
        return outputs


def build_engine_program(name: str, mentor: nn.Module, forward: Callable,
                         forward_id: str, inputs: Tensor, eager, engine: str,
                         precision: str, cache_dir: str
                         ) -> Tuple[EngineProgram, bool, List[str]]:
    """The mentor's :class:`EngineProgram` (exported or taken from the
    cache), whether it was exported now and the tracer's warnings.
    ``eager`` is the eager forward's output on ``inputs`` (its nesting is
    the program's). An engine that cannot load the file raises
    :class:`MentorNotExportable`."""
    leaves, spec = tree_flatten(eager)
    path, exported, traced = cached_export(name, mentor, forward, forward_id,
                                           inputs, cache_dir)
    program = EngineProgram(
        name, engine, precision, path, spec,
        [tuple(leaf.shape[1:]) for leaf in leaves], inputs.device,
        tuple(inputs.shape), cache_dir)
    try:
        program.load()
    except ValueError:
        raise  # a setting the user can change (device, precision)
    except Exception as error:  # the engines raise their own kinds
        raise MentorNotExportable(
            f'{engine} cannot load its ONNX export ({type(error).__name__}: '
            f'{str(error).splitlines()[0][:200] if str(error) else ""})'
        ) from error
    return program, exported, traced
