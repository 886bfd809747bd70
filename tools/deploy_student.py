"""Export a distilled student to ONNX, checked against PyTorch.

    python tools/deploy_student.py CONFIG CHECKPOINT OUT [--image IMG]
        [--input-order {network,bgr}] [--input-size W H] [--tolerance T]

``CONFIG`` is a plain mmpose / mmpretrain student config or a ClassroomKD
config (its student is exported, as in ``tools/test.py``); ``CHECKPOINT`` a
student-only checkpoint (``tools/export_student.py``, ``*_student.pth``) or
a full distiller checkpoint (the student's weights under their own names),
read with ``weights_only=True`` and the project's allow-list. A missing, empty,
truncated or hostile file, or one that does not fit the student exactly, is
an error naming the fix.

Writes ``OUT.onnx`` (opset 17, TorchScript exporter) and ``OUT.json``. The
graph is the network of ``model(inputs, mode='tensor')``, what mmdeploy
exports for these codebases (no flip test, no decoding in the graph):

========================  ===========================  ==================
student head              outputs                      decode with
========================  ===========================  ==================
RTMCCHead / SimCCHead     ``simcc_x`` (N, K, W*r),     argmax / r
                          ``simcc_y`` (N, K, H*r)      (r: split ratio)
HeatmapHead / ViPNASHead  ``heatmaps`` (N, K, h, w)    the config's codec
mmpretrain ``ClsHead``    ``logits`` (N, classes)      softmax
========================  ===========================  ==================

Input ``input``: float32 NCHW, the batch axis dynamic. With
``--input-order network`` (default, mmdeploy's convention) it is what the
student's data preprocessor gives the network: ``(image - mean) / std`` in
the network's channel order (RGB for ``bgr_to_rgb=True`` / ``to_rgb=True``
configs), each channel normalised with its own mean/std. With
``--input-order bgr`` it is what rtmlib's ``RTMPose`` feeds a model: a
cv2 (BGR) crop normalised with the config's ``mean``/``std`` as listed,
``(bgr[c] - mean[c]) / std[c]``; the graph then starts with the exact
conversion to the network's input, ``x' = ((flip(x * std + mean)) - mean) /
std`` (a channel flip only when the network wants RGB). rtmlib decodes
SimCC with a split ratio of 2.0 it does not read from the model, so that
order refuses other ratios.

The exported file is run by onnxruntime on a real input (``--image``, default
the config's first test image, through the config's test pipeline and data
preprocessor; a top-down pose student crops the whole image) and its mirror
image (a batch of 2, which checks the dynamic axis); a max abs difference
from PyTorch's outputs above ``--tolerance`` is an error. The JSON sidecar
holds what a consumer needs: task, input name/shape/size, mean, std,
channel order, output names/shapes, decoding (split ratio, heatmap size),
flip test (not in the graph), classes or keypoint names, the checkpoint's
and the ONNX file's sha256, the measured difference.
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401  (safe checkpoint loading)
from classroomkd_mm.apis import (is_distiller_config,  # noqa: E402
                                 student_only_config)
from classroomkd_mm.utils.student_weights import \
    load_student_for_evaluation  # noqa: E402
from classroomkd_mm.utils.onnx_files import export_onnx  # noqa: E402
from classroomkd_mm.utils.onnx_files import \
    file_sha256 as sha256_of  # noqa: E402
from classroomkd_mm.utils.onnx_files import \
    onnxruntime_session as ort_session  # noqa: E402

OPSET = 17
INPUT_NAME = 'input'
SIMCC_HEADS = ('RTMCCHead', 'SimCCHead')
HEATMAP_HEADS = ('HeatmapHead', 'ViPNASHead')
RTMLIB_SIMCC_SPLIT_RATIO = 2.0
DEFAULT_TOLERANCE = 1e-4


class DeploymentError(ValueError):
    """The student cannot be exported as asked (unsupported head, input
    order, outputs that differ from PyTorch's)."""


def codebase_of(cfg: Config) -> str:
    scope = cfg.get('default_scope') or cfg.model.get('_scope_')
    if scope not in ('mmpose', 'mmpretrain'):
        raise DeploymentError(
            f'The config names default_scope={scope!r}: deploy_student '
            'exports mmpose top-down students and mmpretrain classifiers; '
            "give the student config with default_scope='mmpose' or "
            "'mmpretrain'.")
    return scope


def load_student(config: str, checkpoint: str, cfg_options=None):
    """The student of ``config`` (plain or ClassroomKD) on the CPU in eval
    mode, its weights strictly loaded from ``checkpoint``; and its config."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'Config {config!r} does not exist.')
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'Checkpoint {checkpoint!r} does not exist. Give the student '
            'checkpoint (tools/export_student.py output or *_student.pth) or '
            'the distiller checkpoint of the run.')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    distiller = is_distiller_config(cfg)
    cfg = student_only_config(cfg)
    if codebase_of(cfg) == 'mmpose':
        from mmpose.apis import init_model
        model = init_model(cfg, None, device='cpu')
    else:
        from mmengine.registry import init_default_scope
        from mmpretrain.registry import MODELS
        init_default_scope('mmpretrain')
        model = MODELS.build(cfg.model)
    loaded = load_student_for_evaluation(model, checkpoint, config,
                                         distiller)
    if codebase_of(cfg) == 'mmpretrain':
        meta = loaded.get('meta') if isinstance(loaded, dict) else None
        model.dataset_meta = (meta or {}).get('dataset_meta') or {}
    return model.eval(), cfg


def task_of(model) -> str:
    head = getattr(model, 'head', None)
    name = type(head).__name__
    if name in SIMCC_HEADS:
        return 'pose-simcc'
    if name in HEATMAP_HEADS:
        return 'pose-heatmap'
    try:
        from mmpretrain.models.heads import ClsHead
    except ImportError:
        ClsHead = ()
    if ClsHead and isinstance(head, ClsHead):
        return 'classification'
    raise DeploymentError(
        f'The student\'s head {name} is not supported: deploy_student '
        f'exports SimCC heads ({", ".join(SIMCC_HEADS)}), heatmap heads '
        f'({", ".join(HEATMAP_HEADS)}) and mmpretrain single-label '
        'classification heads (ClsHead and its subclasses), whose tensor '
        'outputs a consumer decodes with a documented rule. Export other '
        'heads with mmdeploy.')


OUTPUT_NAMES = {'pose-simcc': ('simcc_x', 'simcc_y'),
                'pose-heatmap': ('heatmaps', ),
                'classification': ('logits', )}


def input_size_of(model, cfg, task, override=None):
    """``(w, h)`` of the network input: ``--input-size``, else the pose
    codec's ``input_size``, else a classifier test pipeline's crop."""
    if override:
        return tuple(int(v) for v in override)
    if task.startswith('pose'):
        decoder = getattr(model.head, 'decoder', None)
        size = getattr(decoder, 'input_size', None) or getattr(
            model.head, 'input_size', None)
        if size is not None:
            return tuple(int(v) for v in size)
    for step in (cfg.get('test_dataloader') or {}).get('dataset', {}).get(
            'pipeline', []):
        crop = step.get('crop_size') if step.get('type') in (
            'CenterCrop', 'mmpretrain.CenterCrop') else None
        if crop is not None:
            crop = (crop, crop) if isinstance(crop, int) else crop
            return int(crop[0]), int(crop[1])
    raise DeploymentError(
        'Cannot tell the input size from the config (no codec input_size, '
        'no CenterCrop in the test pipeline): pass --input-size W H.')


def first_test_image(cfg) -> str:
    dataset = cfg.get('test_dataloader', {}).get('dataset')
    if dataset is None:
        raise DeploymentError('The config has no test_dataloader.dataset to '
                              'take an image from: pass --image.')
    from mmengine.registry import DATASETS, init_default_scope
    init_default_scope(codebase_of(cfg))
    try:
        return DATASETS.build(dataset).get_data_info(0)['img_path']
    except Exception as error:  # a missing or broken test set
        raise DeploymentError(
            f'Cannot read the first test image of the config ({error}): '
            'pass --image.') from error


def network_input(model, cfg, image: str, task: str) -> torch.Tensor:
    """``(1, 3, H, W)``: ``image`` through the config's test pipeline (the
    whole image as the person box for a pose student) and the student's data
    preprocessor: what ``inference_topdown`` / mmpretrain's inferencer give
    the network."""
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope
    if not osp.isfile(image):
        raise FileNotFoundError(f'Image {image!r} does not exist.')
    init_default_scope(codebase_of(cfg))
    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    info = dict(img_path=image)
    if task.startswith('pose'):
        import cv2
        height, width = cv2.imread(image).shape[:2]
        info.update(bbox=np.array([[0, 0, width, height]], np.float32),
                    bbox_score=np.ones(1, np.float32))
        info.update(getattr(model, 'dataset_meta', None) or {})
    data = pseudo_collate([pipeline(info)])
    with torch.no_grad():
        return model.data_preprocessor(data, False)['inputs'].float()


def preprocessor_of(model):
    """``mean``, ``std`` (lists, the config's order) and whether the data
    preprocessor flips BGR to RGB."""
    pre = model.data_preprocessor
    if not getattr(pre, '_enable_normalize', False):
        raise DeploymentError(
            f'{type(pre).__name__} does not normalise (no mean/std): '
            'deploy_student exports students whose data preprocessor has '
            'mean and std, as every mmpose/mmpretrain recipe does.')
    return ([round(v, 5) for v in pre.mean.flatten().tolist()],
            [round(v, 5) for v in pre.std.flatten().tolist()],
            bool(getattr(pre, '_channel_conversion', False)))


class TensorOutputs(torch.nn.Module):
    """The student's network, ``model(x, None, mode='tensor')``, preceded
    for ``input_order='bgr'`` by the exact map from rtmlib's input
    ``(bgr - mean) / std`` to the network's ``(rgb - mean) / std``."""

    def __init__(self, model, input_order='network'):
        super().__init__()
        self.model = model
        mean, std, flip = preprocessor_of(model)
        self.convert = input_order == 'bgr' and flip
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        if self.convert:
            pixels = (x * self.std + self.mean).flip(1)
            x = (pixels - self.mean) / self.std
        out = self.model(x, None, mode='tensor')
        return tuple(out) if isinstance(out, (tuple, list)) else (out, )


def consumer_input(network_x, model, input_order):
    """The graph's input for the network input ``network_x``."""
    mean, std, flip = preprocessor_of(model)
    if input_order != 'bgr' or not flip:
        return network_x
    mean = torch.tensor(mean).view(1, -1, 1, 1)
    std = torch.tensor(std).view(1, -1, 1, 1)
    return ((network_x * std + mean).flip(1) - mean) / std


def max_abs_difference(module, session, x, names):
    """Max abs difference of the session's outputs from ``module``'s on
    ``x``, and the outputs' shapes (batch axis named)."""
    with torch.no_grad():
        expected = [t.numpy() for t in module(x)]
    got = session.run(list(names), {INPUT_NAME: x.numpy()})
    difference = max(float(np.abs(e - g).max()) for e, g in zip(expected, got))
    return difference, [['batch', *g.shape[1:]] for g in got]


def sidecar(model, task, names, shapes, size, input_order, checkpoint,
            onnx_path, difference, tolerance, image, config):
    mean, std, flip = preprocessor_of(model)
    network_order = 'rgb' if flip else 'bgr'
    if input_order == 'bgr':
        channel_order = 'bgr'
    else:
        channel_order = network_order
    width, height = size
    info = dict(
        task=task,
        input=dict(name=INPUT_NAME, shape=['batch', 3, height, width],
                   dtype='float32', layout='NCHW',
                   input_size_wh=[width, height], channel_order=channel_order,
                   mean=mean, std=std,
                   normalisation='(pixel[c] - mean[c]) / std[c], channels '
                   f'in {channel_order.upper()} order'),
        outputs=[dict(name=n, shape=[d if isinstance(d, str) else int(d)
                                     for d in shape])
                 for n, shape in zip(names, shapes)],
        opset=OPSET,
        flip_test_in_graph=False,
        config=config,
        checkpoint=dict(path=checkpoint, sha256=sha256_of(checkpoint)),
        onnx=dict(path=onnx_path, sha256=sha256_of(onnx_path)),
        check=dict(image=image, max_abs_difference=difference,
                   tolerance=tolerance, runtime='onnxruntime',
                   batch=2))
    if task.startswith('pose'):
        info['bbox_padding'] = 1.25
        meta = getattr(model, 'dataset_meta', None) or {}
        if 'keypoint_id2name' in meta:
            info['keypoint_names'] = [meta['keypoint_id2name'][i] for i in
                                      range(len(meta['keypoint_id2name']))]
    if task == 'pose-simcc':
        info['decode'] = dict(
            simcc_split_ratio=float(model.head.simcc_split_ratio),
            rule='keypoint = argmax(simcc) / simcc_split_ratio, then '
            'keypoint / input_size * bbox_scale + bbox_center - '
            'bbox_scale / 2')
    elif task == 'pose-heatmap':
        decoder = model.head.decoder
        info['decode'] = dict(codec=type(decoder).__name__,
                              heatmap_size_wh=[int(v) for v in
                                               decoder.heatmap_size])
    else:
        classes = (getattr(model, 'dataset_meta', None) or {}).get(
            'classes')
        info['decode'] = dict(rule='scores = softmax(logits)')
        if classes:
            info['classes'] = list(classes)
    return info


def deploy_student(config, checkpoint, out, image=None,
                   input_order='network', input_size=None,
                   tolerance=DEFAULT_TOLERANCE, cfg_options=None):
    """Export, check and describe; returns the sidecar dict (also written
    to ``out + '.json'``)."""
    if input_order not in ('network', 'bgr'):
        raise DeploymentError(f"input_order {input_order!r}: use 'network' "
                              "or 'bgr'.")
    model, cfg = load_student(config, checkpoint, cfg_options)
    task = task_of(model)
    if input_order == 'bgr' and task == 'pose-simcc' and \
            float(model.head.simcc_split_ratio) != RTMLIB_SIMCC_SPLIT_RATIO:
        raise DeploymentError(
            f'The head\'s simcc_split_ratio is {model.head.simcc_split_ratio}'
            ', but rtmlib decodes SimCC with a fixed ratio of 2.0: its '
            'keypoints would be wrong. Export with --input-order network and '
            'decode with the ratio in the JSON sidecar.')
    names = OUTPUT_NAMES[task]
    size = input_size_of(model, cfg, task, input_size)
    image = image or first_test_image(cfg)
    x = network_input(model, cfg, image, task)
    if tuple(x.shape[-2:]) != (size[1], size[0]):
        raise DeploymentError(
            f'The test pipeline gives a {x.shape[-1]}x{x.shape[-2]} input, '
            f'not the {size[0]}x{size[1]} asked for; fix --input-size or '
            'the test pipeline.')
    x = torch.cat([x, x.flip(-1)])  # a batch of 2: the dynamic axis
    module = TensorOutputs(model, input_order).eval()
    graph_x = consumer_input(x, model, input_order)
    onnx_path = out + '.onnx'
    if osp.dirname(onnx_path):
        os.makedirs(osp.dirname(onnx_path), exist_ok=True)
    unchecked = onnx_path + '.unchecked'  # renamed once it passes the check
    try:
        export_onnx(module, graph_x[:1], unchecked, names, INPUT_NAME,
                    OPSET)
        difference, shapes = max_abs_difference(
            module, ort_session(unchecked), graph_x, names)
        if not difference <= tolerance:
            raise DeploymentError(
                f'onnxruntime\'s outputs of the exported student differ from '
                f'PyTorch\'s by up to {difference:.3g} (tolerance '
                f'{tolerance:g}) on {image}: the export is not faithful (an '
                'operator exported differently, or a data-dependent branch '
                'traced once), so no file was written. Raise --tolerance only '
                'if the difference is understood.')
        os.replace(unchecked, onnx_path)
    finally:
        if osp.exists(unchecked):
            os.remove(unchecked)
    info = sidecar(model, task, names, shapes, size, input_order,
                   checkpoint, onnx_path, difference, tolerance, image,
                   config)
    with open(out + '.json', 'w') as f:
        json.dump(info, f, indent=2)
    return info


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Export a (distilled) student to ONNX with a dynamic '
        'batch axis, check onnxruntime against PyTorch, write a JSON '
        'sidecar.')
    parser.add_argument('config', help='student config, or the ClassroomKD '
                        'config whose student is exported')
    parser.add_argument('checkpoint', help='student-only or full distiller '
                        'checkpoint')
    parser.add_argument('out', help='output stem: writes OUT.onnx, OUT.json')
    parser.add_argument('--image', help='image for the check (default: the '
                        "config's first test image)")
    parser.add_argument(
        '--input-order', choices=('network', 'bgr'), default='network',
        help="'network': the data preprocessor's output (mmdeploy); 'bgr': "
        "a cv2 crop normalised with mean/std as listed (rtmlib's RTMPose)")
    parser.add_argument('--input-size', nargs=2, type=int,
                        metavar=('W', 'H'))
    parser.add_argument('--tolerance', type=float, default=DEFAULT_TOLERANCE,
                        help='max abs difference allowed between '
                        'onnxruntime and PyTorch outputs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)
    info = deploy_student(args.config, args.checkpoint, args.out,
                          image=args.image, input_order=args.input_order,
                          input_size=args.input_size,
                          tolerance=args.tolerance,
                          cfg_options=args.cfg_options)
    print(f"Wrote {info['onnx']['path']} and {args.out}.json: "
          f"{info['task']}, outputs "
          f"{', '.join(o['name'] for o in info['outputs'])}; onnxruntime "
          f"vs PyTorch max abs difference "
          f"{info['check']['max_abs_difference']:.3g}")
    return info


if __name__ == '__main__':
    main()
