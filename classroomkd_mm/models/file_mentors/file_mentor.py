"""A pose mentor given as a model file (ONNX, TFLite, TorchScript), with
its input and output declared in the config."""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..bridges.crop_resize import FITS, crop_placement
from ..bridges.output_space import PoseOutputSpace
from .model_files import ModelFile, ModelFileError, check_count, shape_text
from .presets import preset_declaration

KINDS = ('heatmaps', 'simcc', 'coordinates')
#: RTMPose's SimCC sigmas per input size (mmpose's configs); others scale
#: those of 192x256 with the input.
RTMPOSE_SIGMAS = {(192, 256): (4.9, 5.66), (288, 384): (6.93, 7.99)}


class InputDeclaration(NamedTuple):
    """What the file takes: ``size = (W, H)``, ``layout`` (``'NCHW'`` or
    ``'NHWC'``), ``dtype`` (``'float32'`` or ``'uint8'``: pixels 0-255),
    ``channel_order`` (``'RGB'`` or ``'BGR'``), the float pixel scaling
    (``(pixel - mean) / std`` per channel as listed, or ``range = (lo,
    hi)``: ``lo + pixel (hi - lo) / 255``), and ``fit``: how the student's
    crop fills it (``'padded'``: resized keeping its shape, zero pixels
    around; ``'stretched'``: resized to it)."""
    size: Tuple[int, int]
    layout: str = 'NCHW'
    dtype: str = 'float32'
    channel_order: str = 'RGB'
    mean: Optional[Tuple[float, ...]] = None
    std: Optional[Tuple[float, ...]] = None
    range: Tuple[float, float] = (0., 255.)
    fit: str = 'padded'


class OutputDeclaration(NamedTuple):
    """What the file returns (``kind``):

    - ``'heatmaps'``: one ``(N, K, h, w)`` output (``layout='NHWC'``:
      ``(N, h, w, K)``), optionally checked against ``stride = W / w``;
      ``sigma``: its codec's Gaussian sigma in heatmap pixels (unknown:
      the width is kept);
    - ``'simcc'``: two outputs ``(N, K, B_x)``, ``(N, K, B_y)`` (named
      ``simcc_x``/``simcc_y``, else in that order), optionally checked
      against ``split_ratio = B / W``; ``sigma`` (bins, ``(x, y)``, or
      ``'rtmpose'``), ``beta``, ``label_softmax``, ``label_beta``: its
      ``KLDiscretLoss`` convention;
    - ``'coordinates'``: one output of ``K * C`` values per image
      (e.g. ``(N, K, C)`` or MoveNet's ``(N, 1, K, 3)``), ``C = 2`` or 3
      with ``scores``: ``order`` ``'xy'`` or ``'yx'``, ``units``
      ``'normalised'`` (``[0, 1]`` of the input) or ``'pixels'``, then a
      confidence in ``[0, 1]``.
    """
    kind: str
    layout: str = 'NCHW'
    stride: Optional[float] = None
    split_ratio: Optional[float] = None
    sigma: object = None
    beta: float = 1.0
    label_softmax: bool = False
    label_beta: Optional[float] = None
    order: str = 'xy'
    units: str = 'normalised'
    scores: bool = False


def _fields(path, what, cfg, cls, required=()):
    if not isinstance(cfg, dict):
        raise ModelFileError(f'Mentor file {path!r}: `{what}` must be a dict '
                             f'of {list(cls._fields)}, got {cfg!r}.')
    unknown = sorted(set(cfg) - set(cls._fields))
    missing = [k for k in required if cfg.get(k) is None]
    if unknown or missing:
        raise ModelFileError(
            f'Mentor file {path!r}: `{what}` has unknown fields {unknown} '
            f'and lacks {missing}; its fields are {list(cls._fields)}.')
    return cls(**cfg)


def _choice(path, field, value, options):
    if value not in options:
        raise ModelFileError(f'Mentor file {path!r}: `{field}` is {value!r}; '
                             f'use one of {list(options)}.')


def _pair(path, field, value, cast=int) -> Tuple:
    try:
        a, b = (cast(v) for v in value)
    except (TypeError, ValueError):
        raise ModelFileError(f'Mentor file {path!r}: `{field}` must be a '
                             f'pair, got {value!r}.') from None
    return a, b


def _merge(base: dict, override: Optional[dict]) -> dict:
    out = dict(base)
    for key, value in (override or {}).items():
        out[key] = _merge(out[key], value) if isinstance(
            value, dict) and isinstance(out.get(key), dict) else value
    return out


@MODELS.register_module()
class FileMentor(nn.Module):
    """A frozen pose mentor from a model file, without parameters: the
    classroom runs it as it is (``mentor_program_kind = 'file'``: never
    exported or compiled) and its bridge brings its outputs into the
    student's output space like any mentor's (``output_space``).

    Config (``mentors=dict(name=dict(model=dict(type=
    'classroomkd_mm.FileMentor', ...)))``, no checkpoint)::

        file='movenet.tflite',            # .onnx | .tflite | TorchScript
        preset='movenet_singlepose',      # optional, see presets.py
        input=dict(size=(W, H), ...),     # InputDeclaration
        output=dict(kind='simcc', ...),   # OutputDeclaration
        keypoints=17 or [names],          # its keypoints (count or names)
        threads=1,

    and the mentor entry's ``keypoint_mapping`` for another keypoint set.
    ``data_preprocessor`` is the student's (the mentor builder passes it):
    the student's preprocessed crop is turned back into pixels
    (``x std + mean``, the student's channel order) before the file's own
    preparation. The file is checked against its declaration when built
    (one run on a blank input): input shape and dtype, output count,
    shapes, dtypes and keypoint count; a mismatch is a
    :class:`ModelFileError` naming the file and the field. See
    :mod:`.model_files` for what loading each format trusts.

    Attributes:
        weights_sha256 (str): sha256 of the file (for checkpoint meta).
        output_space (PoseOutputSpace): what its bridge reads.
    """

    mentor_program_kind = 'file'

    def __init__(self, file: str, input: Optional[dict] = None,
                 output: Optional[dict] = None,
                 keypoints=None, preset: Optional[str] = None,
                 threads: int = 1, data_preprocessor: Optional[dict] = None,
                 init_cfg=None):
        super().__init__()
        given = dict(input=input, output=output, keypoints=keypoints)
        declared = _merge(preset_declaration(preset) if preset else {},
                          {k: v for k, v in given.items() if v is not None})
        path = str(file)
        self.model_file = ModelFile(path, threads)
        self.file = path
        self.weights_sha256 = self.model_file.sha256
        self.input_decl = self._input(path, declared.get('input'))
        self.output_decl = self._output(path, declared.get('output'))
        self.keypoint_names, self.num_keypoints = self._keypoints(
            path, declared.get('keypoints'))
        self._student_pixels = self._student_normalisation(
            path, data_preprocessor)
        self._check_input()
        self.batch_size = 1 if (self.model_file.input_shape or (None, ))[
            0] == 1 else None
        self.output_space = self._check_outputs()

    # ---- declarations ---------------------------------------------------
    @staticmethod
    def _input(path, cfg) -> InputDeclaration:
        decl = _fields(path, 'input', cfg, InputDeclaration, ('size', ))
        decl = decl._replace(size=_pair(path, 'input.size', decl.size))
        _choice(path, 'input.layout', decl.layout, ('NCHW', 'NHWC'))
        _choice(path, 'input.dtype', decl.dtype, ('float32', 'uint8'))
        _choice(path, 'input.channel_order', decl.channel_order,
                ('RGB', 'BGR'))
        _choice(path, 'input.fit', decl.fit, FITS)
        if (decl.mean is None) != (decl.std is None) or (
                decl.mean is not None
                and not len(decl.mean) == len(decl.std) == 3):
            raise ModelFileError(
                f'Mentor file {path!r}: give `input.mean` and `input.std` '
                'together, three values each (in the file\'s channel '
                'order), or neither (then `input.range`).')
        return decl._replace(range=_pair(path, 'input.range', decl.range,
                                         float))

    @staticmethod
    def _output(path, cfg) -> OutputDeclaration:
        decl = _fields(path, 'output', cfg, OutputDeclaration, ('kind', ))
        _choice(path, 'output.kind', decl.kind, KINDS)
        _choice(path, 'output.layout', decl.layout, ('NCHW', 'NHWC'))
        _choice(path, 'output.order', decl.order, ('xy', 'yx'))
        _choice(path, 'output.units', decl.units, ('normalised', 'pixels'))
        return decl

    @staticmethod
    def _keypoints(path, keypoints):
        if isinstance(keypoints, int) and keypoints > 0:
            return None, keypoints
        if isinstance(keypoints, (list, tuple)) and keypoints and all(
                isinstance(k, str) for k in keypoints):
            return tuple(keypoints), len(keypoints)
        raise ModelFileError(
            f'Mentor file {path!r}: `keypoints` must be the number of '
            'keypoints it predicts or their names in its order, got '
            f'{keypoints!r}.')

    @staticmethod
    def _student_normalisation(path, preprocessor):
        if not isinstance(preprocessor, dict) or preprocessor.get(
                'mean') is None or preprocessor.get('std') is None:
            raise ModelFileError(
                f'Mentor file {path!r}: needs the student\'s normalisation '
                '(`data_preprocessor` with mean and std) to turn the '
                "student's crop back into pixels; the mentor builder passes "
                "the student's when the mentor names none.")
        view = (1, -1, 1, 1)
        return (torch.tensor(preprocessor['mean'], dtype=torch.float32).view(
            view), torch.tensor(preprocessor['std'],
                                dtype=torch.float32).view(view),
                'RGB' if preprocessor.get('bgr_to_rgb') or
                preprocessor.get('to_rgb') else 'BGR')

    # ---- checks against the file ----------------------------------------
    def _input_shape(self, batch: int) -> Tuple[int, ...]:
        w, h = self.input_decl.size
        return (batch, 3, h, w) if self.input_decl.layout == 'NCHW' else (
            batch, h, w, 3)

    def _check_input(self):
        shape, dtype = self.model_file.input_shape, self.model_file.input_dtype
        declared = self._input_shape(None)
        if shape is not None and (len(shape) != 4 or any(
                a is not None and b is not None and a != b
                for a, b in zip(shape, declared))):
            raise ModelFileError(
                f'Mentor file {self.file!r}: its input is '
                f'{shape_text(shape)} but `input.size`/`input.layout` '
                f'declare {shape_text(declared)} ({self.input_decl.layout}, '
                f'size {self.input_decl.size} as (W, H)). Fix the '
                'declaration.')
        if dtype is not None and dtype != self.input_decl.dtype:
            raise ModelFileError(
                f'Mentor file {self.file!r}: its input is {dtype} but '
                f'`input.dtype` declares {self.input_decl.dtype}.')

    def _check_outputs(self) -> PoseOutputSpace:
        dtype = torch.uint8 if self.input_decl.dtype == 'uint8' else \
            torch.float32
        raw = self.model_file.run(torch.zeros(self._input_shape(1),
                                              dtype=dtype))
        decl, k = self.output_decl, self.num_keypoints
        w, h = self.input_decl.size
        expected = 2 if decl.kind == 'simcc' else 1
        check_count(self.file, f'output.kind={decl.kind!r} (outputs)',
                    len(raw), expected)
        outputs = self._outputs(raw)
        common = dict(head=f'{self.model_file.format} file',
                      num_keypoints=k, input_size=(w, h),
                      fit=self.input_decl.fit, source=self.file)
        if decl.kind == 'heatmaps':
            (hm, ) = outputs
            if hm.ndim != 4:
                raise ModelFileError(
                    f'Mentor file {self.file!r}: output.kind=\'heatmaps\' '
                    f'needs a 4-d output, got {shape_text(hm.shape)}.')
            check_count(self.file, 'keypoints (heatmap channels)',
                        hm.shape[1], k)
            grid = (int(hm.shape[-1]), int(hm.shape[-2]))
            if decl.stride is not None and (
                    grid[0] * decl.stride, grid[1] * decl.stride) != (w, h):
                raise ModelFileError(
                    f'Mentor file {self.file!r}: its heatmaps are '
                    f'{grid[0]}x{grid[1]}, not input / output.stride = '
                    f'{w / decl.stride:g}x{h / decl.stride:g}.')
            return PoseOutputSpace(
                'heatmap', grid_size=grid,
                sigma=None if decl.sigma is None else float(decl.sigma),
                **common)
        if decl.kind == 'simcc':
            for axis, o in zip('xy', outputs):
                if o.ndim != 3:
                    raise ModelFileError(
                        f'Mentor file {self.file!r}: SimCC output {axis} '
                        f'must be (N, K, bins), got {shape_text(o.shape)}.')
                check_count(self.file, f'keypoints (simcc_{axis} rows)',
                            o.shape[1], k)
            bins = (int(outputs[0].shape[-1]), int(outputs[1].shape[-1]))
            if decl.split_ratio is not None and bins != (
                    round(w * decl.split_ratio), round(h * decl.split_ratio)):
                raise ModelFileError(
                    f'Mentor file {self.file!r}: its SimCC outputs have '
                    f'{bins} bins, not input size x output.split_ratio = '
                    f'{(w * decl.split_ratio, h * decl.split_ratio)}.')
            sigma = decl.sigma  # in bins, as SimCCLabel's
            if sigma == 'rtmpose':  # RTMPose's, given at split ratio 2.0
                at_2 = RTMPOSE_SIGMAS.get((w, h),
                                          (4.9 * w / 192, 5.66 * h / 256))
                sigma = (at_2[0] * bins[0] / w / 2, at_2[1] * bins[1] / h / 2)
            elif sigma is not None:
                sigma = _pair(self.file, 'output.sigma', sigma, float)
            return PoseOutputSpace(
                'simcc', grid_size=bins, sigma=sigma,
                logit_scale=float(decl.beta),
                label_softmax=bool(decl.label_softmax),
                label_beta=float(decl.label_beta if decl.label_softmax
                                 and decl.label_beta is not None else
                                 decl.beta), **common)
        return PoseOutputSpace('regression', predicts_score=decl.scores,
                               **common)

    # ---- running ----------------------------------------------------------
    def _outputs(self, raw: List[Tensor]):
        """The file's raw outputs in the bridge's representation, in its
        input's frame (see :class:`OutputDeclaration`)."""
        decl, k = self.output_decl, self.num_keypoints
        if decl.kind == 'heatmaps':
            (hm, ) = raw
            return (hm.permute(0, 3, 1, 2) if decl.layout == 'NHWC'
                    and hm.ndim == 4 else hm, )
        if decl.kind == 'simcc':
            names = self.model_file.output_names
            if sorted(names) == ['simcc_x', 'simcc_y']:
                raw = [raw[names.index('simcc_x')],
                       raw[names.index('simcc_y')]]
            return tuple(raw)
        (coords, ) = raw
        channels = 3 if decl.scores else 2
        n = coords.shape[0]
        if coords.numel() != n * k * channels:
            raise ModelFileError(
                f'Mentor file {self.file!r}: its output has '
                f'{shape_text(coords.shape)} values per batch, not '
                f'{k} keypoints x {channels} ((x, y) '
                f'{"+ score" if decl.scores else "without a score"}); fix '
                '`keypoints` or `output.scores`.')
        coords = coords.reshape(n, k, channels)
        xy = coords[..., :2].flip(-1) if decl.order == 'yx' else \
            coords[..., :2]
        if decl.units == 'pixels':
            xy = xy / xy.new_tensor(self.input_decl.size)
        return (torch.cat([xy, coords[..., 2:]], -1), )

    def file_input(self, inputs: Tensor) -> Tensor:
        """The student's preprocessed crops ``(N, 3, h, w)`` as the file's
        input: back to pixels, the file's channel order, fitted into its
        input size (:func:`crop_placement`), scaled and laid out as
        declared."""
        decl = self.input_decl
        mean, std, order = self._student_pixels
        pixels = inputs.float() * std.to(inputs.device) + mean.to(
            inputs.device)
        if order != decl.channel_order:
            pixels = pixels.flip(1)
        (ox, oy), (sx, sy) = crop_placement(
            (inputs.shape[-1], inputs.shape[-2]), decl.size, decl.fit)
        rw = int(round(sx * inputs.shape[-1]))
        rh = int(round(sy * inputs.shape[-2]))
        resized = F.interpolate(pixels, size=(rh, rw), mode='bilinear',
                                align_corners=False)
        width, height = decl.size
        canvas = resized.new_zeros(inputs.shape[0], 3, height, width)
        canvas[..., int(oy):int(oy) + rh, int(ox):int(ox) + rw] = resized
        if decl.dtype == 'uint8':
            x = canvas.round().clamp(0, 255).to(torch.uint8)
        elif decl.mean is not None:
            x = (canvas - canvas.new_tensor(decl.mean).view(1, 3, 1, 1)) / \
                canvas.new_tensor(decl.std).view(1, 3, 1, 1)
        else:
            lo, hi = decl.range
            x = lo + canvas * ((hi - lo) / 255.)
        return x.permute(0, 2, 3, 1).contiguous() if \
            decl.layout == 'NHWC' else x.contiguous()

    def forward(self, inputs: Tensor, *args, **kwargs):
        """The file's outputs on the student's crops, in its input's frame
        (the bridge reads them through the same placement): heatmaps
        ``(N, K, h, w)``, SimCC ``(x, y)``, or coordinates ``(N, K, 2 | 3)``
        normalised to its input, ``(x, y[, score])``."""
        x = self.file_input(inputs)
        step = self.batch_size or x.shape[0]
        runs = [self.model_file.run(x[i:i + step])
                for i in range(0, x.shape[0], step)]
        raw = [torch.cat(parts) for parts in zip(*runs)]
        outputs = self._outputs(raw)
        return outputs if self.output_decl.kind == 'simcc' else outputs[0]

    def describe(self) -> str:
        return (f'{self.model_file.describe()}: {self.output_decl.kind}, '
                f'{self.num_keypoints} keypoints, input '
                f'{self.input_decl.size[0]}x{self.input_decl.size[1]} '
                f'{self.input_decl.layout} {self.input_decl.dtype} '
                f'{self.input_decl.channel_order} ({self.input_decl.fit})')

    def train(self, mode: bool = True):
        """Always in eval mode (a frozen mentor)."""
        return super().train(False)


def is_file_mentor(model: nn.Module) -> bool:
    """``model`` is a mentor given as a model file (run as it is, built
    without a checkpoint)."""
    return getattr(type(model), 'mentor_program_kind', None) == 'file'
