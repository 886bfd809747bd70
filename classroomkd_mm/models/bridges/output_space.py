"""What a top-down pose model predicts, read from the built model: head
family, input size, output grid, keypoint count, and the target convention
of its loss. A mentor given as a model file describes itself
(``output_space``, from its declaration)."""
from typing import NamedTuple, Optional, Tuple

import torch.nn as nn

#: head families a pose student or mentor may have.
FAMILIES = ('heatmap', 'simcc', 'regression')
#: heads whose forward returns one output per stage; mentors use the last.
MULTI_STAGE_HEADS = ('CPMHead', 'MSPNHead')


class PoseOutputSpace(NamedTuple):
    """The output space of a top-down pose estimator.

    Attributes:
        family (str): ``'heatmap'`` (``(N, K, H, W)`` heatmaps), ``'simcc'``
            (``(N, K, B_x)`` and ``(N, K, B_y)`` bin logits) or
            ``'regression'`` (``(N, K, 2)`` normalised coordinates, and
            ``(N, K, 2)`` sigmas where ``predicts_sigma``).
        head (str): the head's class name.
        num_keypoints (int): ``K``.
        input_size: ``(W, H)`` of the input crop.
        grid_size: ``(W, H)`` heatmap size or ``(B_x, B_y)`` SimCC bins;
            None for regression.
        sigma: the codec's Gaussian sigma (heatmap pixels, or ``(x, y)``
            in bins); None where the codec has none.
        logit_scale (float): SimCC: the ``beta`` of the head's
            ``KLDiscretLoss`` (probabilities are ``softmax(beta * x)``).
        label_softmax (bool): SimCC: the loss softens the labels
            (``softmax(label_beta * label)``, RTMPose) rather than taking
            normalised labels as the distribution (``SimCCHead``).
        label_beta (float): SimCC with ``label_softmax``: the labels'
            softmax scale (mmpose 1.1.0: the loss's ``beta``).
        predicts_sigma (bool): regression heads that predict a sigma
            (``RLEHead``).
        predicts_score (bool): regression outputs carry a per-keypoint
            confidence in ``[0, 1]`` after the coordinates (a mentor file
            such as MoveNet).
        fit (str, optional): a mentor given as a model file: how the
            student's crop fills its input (``'padded'`` or
            ``'stretched'``, :func:`~.crop_resize.crop_placement`); None for
            an mmpose model, which sees the crop resized to its input size
            (same aspect ratio).
        source (str, optional): the mentor file, for messages.
        multi_stage (bool): the head returns one output per stage
            (``CPMHead``, ``MSPNHead``); the last is the prediction.
    """
    family: str
    head: str
    num_keypoints: int
    input_size: Tuple[int, int]
    grid_size: Optional[Tuple[int, int]] = None
    sigma: object = None
    logit_scale: float = 1.0
    label_softmax: bool = False
    label_beta: float = 1.0
    predicts_sigma: bool = False
    predicts_score: bool = False
    multi_stage: bool = False
    fit: Optional[str] = None
    source: Optional[str] = None


def _pair(value) -> Tuple[int, int]:
    return tuple(int(v) for v in value)


def _isinstance_of(head, module, names) -> bool:
    classes = tuple(getattr(module, n) for n in names if hasattr(module, n))
    return bool(classes) and isinstance(head, classes)


def _refuse(name: str, what: str, fix: str):
    raise ValueError(f'{name}: {what} {fix}')


def describe_pose_output(name: str, model: nn.Module) -> PoseOutputSpace:
    """Read ``model``'s output space from its built head and codec.

    Args:
        name (str): how errors name the model (``"Mentor 'hrnet'"``,
            ``'The student'``).

    Raises:
        ValueError: naming the model, what it is and the fix, for a model
            that is no mmpose top-down estimator, a head family without a
            bridge, a codec that encodes more than one map per keypoint
            (UDP ``heatmap_type='combined'``), or a head without the codec
            settings the bridges need.
    """
    if getattr(type(model), 'mentor_program_kind', None) == 'file':
        return model.output_space
    from mmpose.models import heads
    from mmpose.models.heads.base_head import BaseHead
    head = getattr(model, 'head', None)
    head_name = type(head).__name__
    if not hasattr(model, 'extract_feat') or not isinstance(head, BaseHead):
        _refuse(name, f'is a {type(model).__name__} with head {head_name}, '
                'not an mmpose top-down pose estimator (another task), so '
                "its outputs cannot be brought into a pose student's output "
                'space.',
                'Use mmpose top-down models (TopdownPoseEstimator) as '
                'mentors of a pose student.')
    decoder = getattr(head, 'decoder', None)
    if getattr(decoder, 'heatmap_type', 'gaussian') != 'gaussian' or \
            type(getattr(head, 'loss_module', None)).__name__ == \
            'CombinedTargetMSELoss':
        _refuse(name, f'uses the UDP combined-target codec ({head_name} '
                f'with {type(decoder).__name__}(heatmap_type='
                f'{getattr(decoder, "heatmap_type", None)!r}), '
                f'{type(getattr(head, "loss_module", None)).__name__}): '
                'three maps per keypoint (a score map and two offset maps), '
                'which no bridge turns into heatmaps of the keypoints.',
                "Use the same model with heatmap_type='gaussian' (e.g. "
                'td-hm_hrnet-w32_udp-8xb64-210e_coco-256x192.py instead of '
                'the udp-regress config).')
    if decoder is None:
        _refuse(name, f'has a {head_name} without a `decoder` (codec), so '
                'its input size and output grid are unknown.',
                'Set `head.decoder=codec` as mmpose configs do.')
    input_size = _pair(decoder.input_size)

    if _isinstance_of(head, heads, ('RTMCCHead', 'SimCCHead')):
        ratio = float(head.simcc_split_ratio)
        bins = (int(round(input_size[0] * ratio)),
                int(round(input_size[1] * ratio)))
        sigma = getattr(decoder, 'sigma', None)
        beta = float(getattr(head.loss_module, 'beta', 1.0))
        label_softmax = bool(getattr(head.loss_module, 'label_softmax',
                                     False))
        # label_beta means nothing without label_softmax (mmpose >= 1.3
        # defaults it to 10 regardless): it is then beta, for comparisons
        return PoseOutputSpace(
            'simcc', head_name, int(head.out_channels), input_size, bins,
            None if sigma is None else tuple(float(s) for s in
                                             _as_list(sigma, 2)),
            beta, label_softmax,
            float(getattr(head.loss_module, 'label_beta', beta))
            if label_softmax else beta)
    if _isinstance_of(head, heads, ('RLEHead', 'RegressionHead')):
        return PoseOutputSpace(
            'regression', head_name, int(head.num_joints), input_size,
            predicts_sigma=_isinstance_of(head, heads, ('RLEHead', )))
    if _isinstance_of(head, heads, ('HeatmapHead', ) + MULTI_STAGE_HEADS):
        num_keypoints = int(head.out_channels)
        sigma = getattr(decoder, 'sigma', None)
        return PoseOutputSpace(
            'heatmap', head_name, num_keypoints, input_size,
            _pair(decoder.heatmap_size),
            None if sigma is None else float(_as_list(sigma, 1)[0]),
            multi_stage=_isinstance_of(head, heads, MULTI_STAGE_HEADS))
    _refuse(name, f'has a {head_name}, a head family without a bridge '
            '(supported: HeatmapHead and its subclasses, CPMHead and '
            'MSPNHead as mentors, RTMCCHead, SimCCHead, RLEHead, '
            'RegressionHead).',
            'Use a model of a supported head family.')


def _as_list(value, length: int):
    try:
        values = list(value)
    except TypeError:
        values = [value]
    return values * length if len(values) == 1 else values
