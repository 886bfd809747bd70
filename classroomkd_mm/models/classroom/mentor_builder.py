"""Build one frozen mentor from its config and checkpoint, with clear errors."""
import copy
import logging
import os.path as osp
from typing import Optional

import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.config_files import load_config
from classroomkd_mm.utils.safe_checkpoint import (CheckpointDownloadError,
                                                  UnreadableCheckpointError,
                                                  UnsafeCheckpointError)
from classroomkd_mm.utils.student_weights import (is_distiller_state_dict,
                                                  student_state_dict)

from .frozen_max_pool import use_channels_last_max_pool

_MAX_KEYS_SHOWN = 8


def mentor_model_config(name: str, mentor_cfg: dict,
                        student_preprocessor: Optional[dict] = None) -> dict:
    """The model config of a mentor entry.

    A mentor is ``dict(model=<model config>, checkpoint=...)`` or
    ``dict(config=<config file, e.g. 'mmpretrain::resnet/...py'>,
    checkpoint=...)``; a config file's models are built in its own
    ``default_scope``. A mentor that names no ``data_preprocessor`` (neither
    in its model nor at its config file's top level) takes
    ``student_preprocessor``: mentors run on the student's preprocessed
    batch, so that is the normalisation they see. A pose mentor may add
    ``keypoint_mapping`` (read by the distiller's bridge, not here).
    """
    if not isinstance(mentor_cfg, (dict, ConfigDict)):
        raise TypeError(f'Mentor {name!r}: expected a dict with `model` or '
                        f'`config` and `checkpoint`, got {mentor_cfg!r}.')
    unknown = set(mentor_cfg) - {'model', 'config', 'checkpoint',
                                 'keypoint_mapping'}
    if unknown:
        raise ValueError(f'Mentor {name!r}: unknown keys {sorted(unknown)}; '
                         'a mentor takes `model` or `config`, '
                         '`checkpoint`, and for a pose mentor with another '
                         'keypoint set `keypoint_mapping`.')
    if ('model' in mentor_cfg) == ('config' in mentor_cfg):
        raise ValueError(f'Mentor {name!r}: give exactly one of `model` (a '
                         'model config dict) or `config` (a config file).')
    if 'model' in mentor_cfg:
        model_cfg = copy.deepcopy(dict(mentor_cfg['model']))
        return _with_preprocessor(name, model_cfg, student_preprocessor)
    cfg = load_config(mentor_cfg['config'])
    model_cfg = cfg.model.to_dict()
    if cfg.get('data_preprocessor') is not None:
        # As the Runner does: the config's top-level preprocessor is the
        # model's unless the model names its own.
        model_cfg.setdefault('data_preprocessor',
                             cfg.data_preprocessor.to_dict())
    if cfg.get('default_scope') and '_scope_' not in model_cfg:
        model_cfg['_scope_'] = cfg.default_scope
    return _with_preprocessor(name, model_cfg, student_preprocessor)


def _with_preprocessor(name, model_cfg, student_preprocessor):
    if model_cfg.get('data_preprocessor') is None and student_preprocessor:
        model_cfg['data_preprocessor'] = copy.deepcopy(
            dict(student_preprocessor))
        print_log(
            f'Mentor {name!r} names no data_preprocessor: it takes the '
            "student's (mentors run on the student's preprocessed batch).",
            logger='current', level=logging.INFO)
    return model_cfg


def mentor_state_dict(name: str, checkpoint: Optional[str]) -> dict:
    """Load a mentor's weights (safely) and return a plain state dict: a
    plain model checkpoint as it is (``module.`` prefixes removed), a full
    ClassroomKD checkpoint (:mod:`.checkpoint_layout`) as its
    student's weights."""
    if not checkpoint:
        raise ValueError(
            f'Mentor {name!r} has no `checkpoint`. Mentors must be pretrained: '
            'train the mentor first (tools/train.py on its own config) and '
            'set `checkpoint=` to the resulting .pth file or a model-zoo URL.')
    if '://' not in checkpoint:
        checkpoint = osp.expanduser(checkpoint)
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'Mentor {name!r}: checkpoint {checkpoint!r} does not exist. '
                'Train the mentor first, or fix the path (relative paths '
                'start at the current directory).')
    try:
        loaded = CheckpointLoader.load_checkpoint(checkpoint, 'cpu')
    except (UnsafeCheckpointError, UnreadableCheckpointError,
            CheckpointDownloadError) as error:
        raise type(error)(f'Mentor {name!r}: {error}') from error
    state_dict = loaded.get('state_dict', loaded) if isinstance(
        loaded, dict) else None
    if not isinstance(state_dict, dict):
        raise ValueError(f'Mentor {name!r}: {checkpoint!r} holds no state '
                         'dict; give a checkpoint saved by MMEngine or '
                         'torch.save(model.state_dict()).')
    if is_distiller_state_dict(state_dict):
        print_log(
            f'Mentor {name!r}: {checkpoint!r} is a ClassroomKD checkpoint; '
            "the mentor takes its student's weights.",
            logger='current', level=logging.INFO)
        return dict(student_state_dict(state_dict))
    return {(k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state_dict.items()}


def _shorten(keys):
    keys = sorted(keys)
    more = len(keys) - _MAX_KEYS_SHOWN
    shown = ', '.join(keys[:_MAX_KEYS_SHOWN])
    return shown + (f', ... ({more} more)' if more > 0 else '')


def load_mentor_weights(name: str, mentor: nn.Module, checkpoint: str):
    """Load ``checkpoint`` into ``mentor`` strictly (data preprocessor buffers
    aside), raising an error that names the missing and unexpected keys."""
    state_dict = mentor_state_dict(name, checkpoint)
    own = mentor.state_dict()
    resized = [f'{k} (checkpoint {list(v.shape)}, model '
               f'{list(own[k].shape)})' for k, v in state_dict.items()
               if k in own and hasattr(v, 'shape')
               and v.shape != own[k].shape]
    if resized:
        raise ValueError(
            f'Mentor {name!r}: checkpoint {checkpoint!r} does not match its '
            f'model. Shape mismatches ({len(resized)}): {_shorten(resized)}. '
            'Check that the mentor config is the one the checkpoint was '
            'trained with (same depth, widths and head).')
    result = mentor.load_state_dict(state_dict, strict=False)
    missing = [k for k in result.missing_keys
               if not k.startswith('data_preprocessor.')]
    unexpected = [k for k in result.unexpected_keys
                  if not k.startswith('data_preprocessor.')]
    if missing or unexpected:
        raise ValueError(
            f'Mentor {name!r}: checkpoint {checkpoint!r} does not match its '
            f'model. Missing keys ({len(missing)}): {_shorten(missing)}. '
            f'Unexpected keys ({len(unexpected)}): {_shorten(unexpected)}. '
            'Check that the mentor config is the one the checkpoint was '
            'trained with.')


def build_mentor(name: str, mentor_cfg: dict,
                 student_preprocessor: Optional[dict] = None) -> nn.Module:
    """Build, load and freeze one mentor (:func:`freeze_mentor`)."""
    mentor = MODELS.build(
        mentor_model_config(name, mentor_cfg, student_preprocessor))
    load_mentor_weights(name, mentor, mentor_cfg.get('checkpoint'))
    return freeze_mentor(mentor)


def freeze_mentor(mentor: nn.Module) -> nn.Module:
    """No gradients, eval mode, max pools as :class:`ChannelsLastMaxPool2d`
    (same outputs, faster on CPU), and ``BaseModule.init_weights`` kept off
    the loaded weights."""
    mentor.requires_grad_(False)
    mentor.eval()
    use_channels_last_max_pool(mentor)
    for module in mentor.modules():
        if hasattr(module, '_is_init'):
            module._is_init = True
    return mentor
