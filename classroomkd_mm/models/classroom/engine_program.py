"""A frozen mentor on an inference engine (onnxruntime or OpenVINO).

The mentor's forward (the adapter's or the bridge's: head outputs *and*
the features the head consumed) is exported once to ONNX
(:func:`~classroomkd_mm.utils.onnx_files.export_onnx`: opset 17, a dynamic
batch axis so that mentor skipping can run sub-batches) and run by an
engine session. The program holds all it runs (``needs_module`` False): the
ONNX file's weights, BatchNorm folded in by the engine, are the only copy
the step needs.

An export is refused (:class:`MentorNotExportable`) when the tracer warns
that it turned a tensor into a Python value and ``torch.export`` cannot
show that value to depend on shapes only (a branch such as ``if
inputs.abs().mean() > t``, where the graph would hold the first batch's
path only, rather than mmcv's ``x.numel() == 0``).
:func:`~.mentor_program.check_against_eager` checks what passes on the
first batch, one sample and an independent batch.

Cache: ``<cache_dir>/<key>.onnx`` with a sidecar ``<key>.json`` holding the
key, the file's size and sha256, the outputs' shapes and the tracer's
warnings. The key is the sha256 of what the program depends on: the
mentor's module (its ``repr``: architecture and hyper-parameters), its
weights (every ``state_dict`` tensor), the forward that is exported
(``forward_id``: adapter or bridge), the input's per-sample shape and dtype,
and the torch/onnx versions and opset. A file whose sidecar is missing,
unreadable, of another key, or whose size or sha256 differ, or that
``onnx.checker`` refuses, is exported again, never used. Files are written
under temporary names and moved into place, the sidecar last. Sessions are
not picklable: a deep copy or pickle drops the session; before the session
is opened again (after a copy, or when torch's thread count changed) the
file's sha256 is checked against the sidecar and the build's record, and a
file that changed is an error naming it and the fix.
"""
import hashlib
import json
import logging
import os
import os.path as osp
import tempfile
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MMLogger, print_log
from torch import Tensor
from torch.utils._pytree import tree_flatten, tree_unflatten

from classroomkd_mm.utils.onnx_files import (INPUT_NAME, OPSET,
                                             conversions, export_onnx,
                                             file_sha256,
                                             onnxruntime_session_options,
                                             value_dependence)
from .mentor_program import (MentorForward, MentorNotExportable,
                             MentorProgram, ProgramOptions)

CACHE_FORMAT = 2


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


def export_mentor(name: str, mentor: nn.Module, forward: Callable,
                  inputs: Tensor, path: str
                  ) -> Tuple[List[Tuple[int, ...]], List[str]]:
    """Export ``forward(mentor, ·)`` to ONNX at ``path``; returns each
    output's per-sample shape and the tracer's warnings. Raises
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
    try:
        traced = export_onnx(flat, inputs, path,
                             [f'output{i}' for i in range(len(leaves))])
    except Exception as error:  # the exporter raises many kinds
        raise MentorNotExportable(
            f'{type(error).__name__}: {str(error).splitlines()[0]}'
            if str(error) else type(error).__name__) from error
    return [tuple(leaf.shape[1:]) for leaf in leaves], traced


def _replace_atomically(write: Callable[[str], object], path: str):
    fd, tmp = tempfile.mkstemp(dir=osp.dirname(path), prefix='.tmp-',
                               suffix=osp.basename(path))
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def cached_file_problem(path: str, sidecar: str, key: str,
                        check_model: bool = True) -> Optional[str]:
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
    if check_model:
        import onnx
        try:
            onnx.checker.check_model(path)
        except Exception as error:  # onnx raises several kinds
            return f'onnx.checker refuses it ({type(error).__name__})'
    return None


def _writable_cache_dir(name: str, cache_dir: str):
    """Make ``cache_dir``; one that cannot be written is an error naming
    the option."""
    try:
        os.makedirs(cache_dir, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=cache_dir, prefix='.tmp-probe-')
        os.close(fd)
        os.remove(probe)
    except OSError as error:
        raise RuntimeError(
            f'Mentor {name!r}: the engine cache directory {cache_dir} cannot '
            f'be written ({type(error).__name__}: {error.strerror or error}).'
            ' Set mentor_runtime.cache_dir to a writable directory, or '
            "mentor_runtime.engine='eager'.") from error


def cached_export(name: str, mentor: nn.Module, forward: Callable,
                  forward_id: str, inputs: Tensor, cache_dir: str
                  ) -> Tuple[str, dict, bool]:
    """The verified ONNX file of the mentor, exported unless a valid one is
    cached; returns ``(path, its sidecar's record, exported now)``."""
    _writable_cache_dir(name, cache_dir)
    key = mentor_key(mentor, forward_id, inputs)
    path = osp.join(cache_dir, f'{key}.onnx')
    sidecar = osp.join(cache_dir, f'{key}.json')
    problem = cached_file_problem(path, sidecar, key)
    if problem is None:
        with open(sidecar) as f:
            return path, json.load(f), False
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
    return path, meta, True


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
            "engine='compiled'.")
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
                "set precision='fp32' or engine='compiled'.")
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


class EngineProgram(MentorProgram):
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
    needs_module = False

    def __init__(self, name: str, engine: str, precision: str, path: str,
                 meta: dict, spec, output_shapes: List[Tuple[int, ...]],
                 device: torch.device, input_shape: Tuple[int, ...],
                 cache_dir: str):
        super().__init__(name)
        self.kind, self.engine, self.precision = engine, engine, precision
        self.path, self.spec = path, spec
        self.sidecar = path[:-len('.onnx')] + '.json'
        self.key, self.sha256 = meta['key'], meta['sha256']
        self.output_shapes = [tuple(s) for s in output_shapes]
        self.device, self.input_shape = device, tuple(input_shape)
        self.cache_dir = cache_dir
        self.session = None
        self.threads = None
        self.provider = None

    def __getstate__(self):
        state = dict(self.__dict__)
        # not picklable; opened again, after verifying the file, when called
        state['session'] = None
        state.pop('request', None)
        state.pop('run_options', None)
        return state

    def runs(self) -> str:
        return (f'{self.engine} ({self.provider}, {self.precision}), ONNX '
                + ('exported to' if self.report.get('exported')
                   else 'from the cache') + f' {self.path}')

    def verify(self):
        """The file is still the one the build checked: its size and sha256
        match the sidecar, and the sidecar's sha256 the build's record."""
        problem = cached_file_problem(self.path, self.sidecar, self.key,
                                      check_model=False)
        if problem is None:
            with open(self.sidecar) as f:
                if json.load(f).get('sha256') != self.sha256:
                    problem = ('the file and its sidecar were replaced since '
                               'the mentor was checked')
        if problem == 'not cached':
            problem = 'the file or its sidecar was removed'
        if problem is not None:
            raise RuntimeError(
                f'Mentor {self.name!r}: the engine file {self.path} is '
                f'refused: {problem}. Delete {self.path} and {self.sidecar} '
                'and start the run again (the mentor is exported and '
                "checked again), or set mentor_runtime.engine='eager'.")

    def load(self):
        """Open the session (at the current torch thread count)."""
        self.threads = torch.get_num_threads()
        if self.engine == 'onnxruntime':
            self._load_onnxruntime()
        else:
            self._load_openvino()

    def _load_onnxruntime(self):
        import onnxruntime as ort
        providers = onnxruntime_providers(
            self.device, self.precision, ort.get_available_providers(),
            self.cache_dir, self.input_shape)
        self.session = ort.InferenceSession(
            self.path, onnxruntime_session_options(self.threads),
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
                "(onnxruntime-gpu) or 'compiled'.")
        core = ov.Core()
        capabilities = core.get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
        if self.precision == 'bf16' and not any(
                c.upper() == 'BF16' for c in capabilities):
            raise ValueError(
                f"Mentor {self.name!r}: mentor_runtime.precision='bf16' with "
                "engine='openvino' needs a CPU with bf16 (AVX-512 BF16 or "
                f'AMX); OpenVINO reports {capabilities}. Set '
                "precision='fp32'.")
        config = {'INFERENCE_PRECISION_HINT':
                  'bf16' if self.precision == 'bf16' else 'f32',
                  'INFERENCE_NUM_THREADS': self.threads,
                  'PERFORMANCE_HINT': 'LATENCY',
                  'NUM_STREAMS': 1}
        self.session = core.compile_model(core.read_model(self.path), 'CPU',
                                          config)
        self.request = self.session.create_infer_request()
        self.provider = f'OpenVINO CPU {self.precision}'

    def __call__(self, inputs: Tensor):
        if self.session is None or self.threads != torch.get_num_threads():
            self.verify()
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


def build_engine_program(name: str, mentor: nn.Module,
                         forward: MentorForward, forward_id: str,
                         engine: str, options: ProgramOptions,
                         inputs: Tensor, eager) -> EngineProgram:
    """The mentor's :class:`EngineProgram` (exported or taken from the
    cache), its session open. ``eager`` is the eager forward's output on
    ``inputs`` (its nesting is the program's). An export with data-dependent
    tracer warnings, or one the engine cannot load, raises
    :class:`MentorNotExportable`; a setting the user can change (device,
    precision, cache directory) raises ``ValueError`` / ``RuntimeError``."""
    cache_dir = options.cache_dir or default_cache_dir()
    leaves, spec = tree_flatten(eager)
    path, meta, exported = cached_export(name, mentor, forward, forward_id,
                                         inputs, cache_dir)
    converted = conversions(meta.get('trace_warnings', []))
    if converted:
        reason = value_dependence(FlatForward(mentor, forward).eval(), inputs)
        if reason is not None:
            raise MentorNotExportable(
                'its forward turns a tensor into a Python value (the tracer '
                f'warned: {converted[0]}) that may depend on the input\'s '
                f'values (torch.export: {reason}), so the export could run '
                "the first batch's path of its forward on every batch")
    program = EngineProgram(
        name, engine, options.precision, path, meta, spec,
        [tuple(leaf.shape[1:]) for leaf in leaves], inputs.device,
        tuple(inputs.shape), cache_dir)
    program.report.update(
        exported=exported, path=path, file_mib=meta['size'] / 2**20,
        trace_warnings=len(meta.get('trace_warnings', [])))
    try:
        program.load()
    except ValueError:
        raise  # a setting the user can change (device, precision)
    except Exception as error:  # the engines raise their own kinds
        raise MentorNotExportable(
            f'{engine} cannot load its ONNX export ({type(error).__name__}: '
            f'{str(error).splitlines()[0][:200] if str(error) else ""})'
        ) from error
    return program
