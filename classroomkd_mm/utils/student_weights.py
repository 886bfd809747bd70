"""The student's part of a ClassroomDistiller, as a checkpoint the plain
student config loads (used by the student checkpoint hook and
``tools/export_student.py``)."""
import logging
from collections import OrderedDict

import numpy as np
import torch.nn as nn
from mmengine.model import is_model_wrapper

STUDENT_PREFIX = 'student.'
#: a distiller's entries beside its student's (its checkpoint layout keeps
#: the student's own names at the top level)
DISTILLER_PREFIXES = ('connectors.', 'classroom.')
#: entries of the layout before the student's names moved to the top level
OLD_DISTILLER_PREFIXES = ('mentors.', 'skip_cache.')


def plain_data(obj):
    """``obj`` with numpy values turned into lists and scalars, so the file
    loads with ``torch.load(weights_only=True)`` and no allow-list."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: plain_data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain_data(v) for v in obj)
    return obj


def student_state_dict(state_dict: dict) -> OrderedDict:
    """The student's entries of a distiller state dict, detached and on the
    CPU: its top-level entries (the distiller's ``connectors.*`` and
    ``classroom.*`` left out), or in the older layout its ``student.*``
    entries with the prefix removed. A plain model's state dict comes back
    as it is."""
    if any(k.startswith(STUDENT_PREFIX) for k in state_dict):
        return OrderedDict(
            (k[len(STUDENT_PREFIX):], v.detach().cpu())
            for k, v in state_dict.items() if k.startswith(STUDENT_PREFIX))
    return OrderedDict(
        (k, v.detach().cpu()) for k, v in state_dict.items()
        if hasattr(v, 'detach') and not k.startswith(DISTILLER_PREFIXES))


def student_checkpoint(model_or_state_dict, meta: dict = None) -> dict:
    """``{'state_dict': <student weights>, 'meta': ...}`` from a
    ``ClassroomDistiller`` (wrapped or not) or its state dict: what the plain
    student config loads with mmpose's ``init_model`` or mmpretrain's
    ``get_model``."""
    source = model_or_state_dict
    if is_model_wrapper(source):
        source = source.module
    if isinstance(source, nn.Module):
        source = source.state_dict()
    return dict(state_dict=student_state_dict(source),
                meta=plain_data(meta or {}))


def is_distiller_state_dict(state_dict: dict) -> bool:
    """Whether ``state_dict`` has a ClassroomDistiller's own entries
    (connectors, the classroom's state, or the older ``student.*`` layout)
    besides a plain model's."""
    return any(k.startswith((STUDENT_PREFIX, ) + DISTILLER_PREFIXES +
                            OLD_DISTILLER_PREFIXES) for k in state_dict)


def _shorten(keys, limit=8):
    keys = sorted(keys)
    more = len(keys) - limit
    return ', '.join(keys[:limit]) + (f', ... ({more} more)' if more > 0
                                      else '')


def load_student_for_evaluation(student: nn.Module, checkpoint: str,
                                config: str, distiller_config: bool,
                                after_load=None) -> dict:
    """Load the student's weights from ``checkpoint`` into ``student``
    strictly, whatever kind the file is, and return the loaded checkpoint.

    A ClassroomKD checkpoint and a student-only file give the same student
    weights (the distiller's connectors and classroom state left out; the
    older ``student.*`` layout is read too, with one log line).
    Missing, unexpected or mis-shaped keys (data preprocessor buffers aside)
    are an error naming the file, the config and the fix: evaluation never
    scores randomly initialised weights. ``after_load(checkpoint)`` runs
    between reading the file and loading the weights (where the Runner calls
    its ``after_load_checkpoint`` hooks).
    """
    from mmengine.logging import print_log
    from mmengine.runner.checkpoint import CheckpointLoader
    loaded = CheckpointLoader.load_checkpoint(checkpoint, 'cpu')
    if after_load is not None and isinstance(loaded, dict):
        after_load(loaded)
    state_dict = loaded.get('state_dict', loaded) if isinstance(
        loaded, dict) else None
    if not isinstance(state_dict, dict):
        raise ValueError(f'{checkpoint!r} holds no state dict; give a '
                         'checkpoint saved by tools/train.py or '
                         'tools/export_student.py.')
    state_dict = {(k[len('module.'):] if k.startswith('module.') else k): v
                  for k, v in state_dict.items()}
    if any(k.startswith(STUDENT_PREFIX) for k in state_dict):
        print_log(f'{checkpoint} is a ClassroomKD checkpoint of the older '
                  f'layout ({STUDENT_PREFIX}* names): evaluating its student.',
                  logger='current', level=logging.WARNING)
    # a distiller checkpoint keeps the student's names at the top level;
    # its connectors and classroom state are not the student's
    state_dict = student_state_dict(state_dict)
    own = student.state_dict()
    ignore = 'data_preprocessor.'
    missing = [k for k in own if k not in state_dict
               and not k.startswith(ignore)]
    unexpected = [k for k in state_dict if k not in own
                  and not k.startswith(ignore)]
    resized = [f'{k} (checkpoint {list(v.shape)}, model '
               f'{list(own[k].shape)})' for k, v in state_dict.items()
               if k in own and hasattr(v, 'shape')
               and v.shape != own[k].shape]
    if missing or unexpected or resized:
        raise ValueError(
            f'Checkpoint {checkpoint} does not fit the student of {config}: '
            f'missing keys ({len(missing)}): {_shorten(missing)}; unexpected '
            f'keys ({len(unexpected)}): {_shorten(unexpected)}; shape '
            f'mismatches ({len(resized)}): {_shorten(resized)}. Evaluating '
            'would score random weights. Give the config the checkpoint was '
            'trained with: the ClassroomKD config (or its plain student '
            'config) for epoch_*.pth / *_student.pth of a ClassroomKD run, '
            "the model's own config for any other checkpoint.")
    student.load_state_dict(
        {k: v for k, v in state_dict.items() if k in own}, strict=False)
    return loaded
