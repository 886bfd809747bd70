"""A pose model given as a file, run by its own runtime: ONNX
(onnxruntime), TFLite (LiteRT) or TorchScript (``torch.jit.load``).

What loading each format trusts (model files are untrusted input, like
checkpoints):

- **ONNX** (``.onnx``): the file is read into memory, hashed, and handed to
  onnxruntime as bytes. An ONNX graph is data, not code: onnxruntime parses
  the protobuf and runs only its own registered operators (no custom-op
  libraries are registered, so a graph naming one is refused). Passing bytes
  means a graph that points at external-data files is refused too: it
  cannot make onnxruntime read other files. What is trusted is
  onnxruntime's C++ parser and kernels with hostile input.
- **TFLite** (``.tflite``): read into memory, hashed, and handed to LiteRT's
  interpreter as ``model_content`` (package ``ai-edge-litert``). A TFLite
  flatbuffer is data; only LiteRT's builtin operators run (no custom-op
  resolver or Flex delegate is registered). What is trusted is LiteRT's
  flatbuffer parser and kernels with hostile input.
- **TorchScript** (``.pt``, ``.pth``, ``.ts``, ``.torchscript``): read into
  memory, hashed, and loaded by ``torch.jit.load`` from those bytes on the
  CPU. A TorchScript archive *is code*: its graphs run in the TorchScript
  interpreter, which can call any operator torch registers, so load only
  TorchScript files you would run as Python code. (Its tensors are
  restored without Python's pickle of arbitrary classes, but the code
  itself is the trust boundary.)

Every runtime runs on the CPU (a TorchScript module on the device of its
inputs) with the number of threads asked for.
"""
import hashlib
import io
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

#: file name endings per format.
FORMATS = {'.onnx': 'onnx', '.tflite': 'tflite', '.pt': 'torchscript',
           '.pth': 'torchscript', '.ts': 'torchscript',
           '.torchscript': 'torchscript'}


class ModelFileError(ValueError):
    """A model file that cannot be used as declared; the message names the
    file, the field and the fix."""


def read_model_file(path: str) -> Tuple[bytes, str]:
    """The file's bytes and its sha256 (hex), refusing a missing, empty or
    unknown kind of file with the fix."""
    path = osp.expanduser(str(path))
    ending = osp.splitext(path)[1].lower()
    if ending not in FORMATS:
        raise ModelFileError(
            f'Mentor file {path!r}: unknown model file type {ending!r}; '
            f'give one of {sorted(FORMATS)} (ONNX, TFLite, TorchScript).')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Mentor file {path!r} does not exist (relative paths start at '
            'the current directory).')
    with open(path, 'rb') as f:
        data = f.read()
    if not data:
        raise ModelFileError(f'Mentor file {path!r} is empty: download or '
                             'export it again.')
    return data, hashlib.sha256(data).hexdigest()


class ModelFile:
    """One loaded model file: ``run(x)`` returns its outputs, in its own
    order, as float tensors on ``x``'s device.

    Attributes:
        path (str), format (str): ``'onnx'``, ``'tflite'`` or
            ``'torchscript'``.
        sha256 (str): of the bytes loaded.
        input_shape (tuple or None): the file's declared input shape
            (``None`` for a dynamic axis; ``None`` altogether for
            TorchScript, which declares none).
        input_dtype (str or None): ``'float32'``, ``'uint8'``, ...
        output_names (list of str).
    """

    def __init__(self, path: str, threads: int = 1):
        data, self.sha256 = read_model_file(path)
        self.path = str(path)
        self.format = FORMATS[osp.splitext(self.path)[1].lower()]
        self.input_shape: Optional[Tuple] = None
        self.input_dtype: Optional[str] = None
        self.output_names: List[str] = []
        try:
            getattr(self, '_load_' + self.format)(data, int(threads))
        except (ImportError, ModelFileError):
            raise
        except Exception as error:  # the runtime's own parse error
            raise ModelFileError(
                f'Mentor file {self.path!r} could not be loaded as '
                f'{self.format} ({type(error).__name__}: '
                f'{str(error)[:300]}): it is truncated, corrupt or another '
                'kind of file. Download or export it again.') from None

    # ---- loading --------------------------------------------------------
    def _load_onnx(self, data: bytes, threads: int):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            data, options, providers=['CPUExecutionProvider'])
        (inp, *more) = self._session.get_inputs()
        if more:
            raise ModelFileError(
                f'Mentor file {self.path!r} has {1 + len(more)} inputs; a '
                'mentor file takes one image batch.')
        self._input_name = inp.name
        self.input_shape = tuple(d if isinstance(d, int) else None
                                 for d in inp.shape)
        self.input_dtype = {'tensor(float)': 'float32',
                            'tensor(uint8)': 'uint8',
                            'tensor(float16)': 'float16'}.get(inp.type,
                                                              inp.type)
        self.output_names = [o.name for o in self._session.get_outputs()]

    def _load_tflite(self, data: bytes, threads: int):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise ImportError(
                f'Mentor file {self.path!r} is a TFLite model, which runs on '
                'LiteRT: install the package `ai-edge-litert` (pip install '
                'ai-edge-litert; it is in requirements/cpu_env.txt and '
                'latest_env.txt).') from None
        self._interpreter = Interpreter(model_content=data,
                                        num_threads=threads)
        self._interpreter.allocate_tensors()
        (inp, *more) = self._interpreter.get_input_details()
        if more:
            raise ModelFileError(
                f'Mentor file {self.path!r} has {1 + len(more)} inputs; a '
                'mentor file takes one image batch.')
        self._input_index = inp['index']
        self.input_shape = tuple(int(d) for d in inp['shape'])
        self.input_dtype = np.dtype(inp['dtype']).name
        self._outputs = self._interpreter.get_output_details()
        self.output_names = [o['name'] for o in self._outputs]

    def _load_torchscript(self, data: bytes, threads: int):
        self._module = torch.jit.load(io.BytesIO(data), map_location='cpu')
        self._module.eval()
        self._threads = threads

    # ---- running --------------------------------------------------------
    def run(self, x: Tensor) -> List[Tensor]:
        """The file's outputs on the batch ``x`` (already in the file's
        input layout and dtype), as float32 tensors on ``x``'s device."""
        if self.format == 'torchscript':
            with torch.no_grad():
                out = self._module(x)
            outs = list(out) if isinstance(out, (tuple, list)) else [out]
            return [o.float() for o in outs]
        array = x.detach().cpu().numpy()
        if self.format == 'onnx':
            outs = self._session.run(None, {self._input_name: array})
        else:
            self._interpreter.set_tensor(self._input_index, array)
            self._interpreter.invoke()
            outs = [self._interpreter.get_tensor(o['index'])
                    for o in self._outputs]
        return [torch.from_numpy(np.ascontiguousarray(o)).float().to(
            x.device) for o in outs]

    def describe(self) -> str:
        return f'{self.format} file {self.path} (sha256 {self.sha256[:12]})'


def check_count(path: str, field: str, got: int, expected: int):
    if got != expected:
        raise ModelFileError(
            f'Mentor file {path!r}: {field} declares {expected} but the file '
            f'has {got}. Fix the declaration (or the file).')


def shape_text(shape: Sequence) -> str:
    return 'x'.join('?' if d is None else str(d) for d in shape)
