"""The student's part of a ClassroomDistiller, as a checkpoint the plain
student config loads (used by the student checkpoint hook and
``tools/export_student.py``)."""
from collections import OrderedDict

import numpy as np
import torch.nn as nn
from mmengine.model import is_model_wrapper

STUDENT_PREFIX = 'student.'


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
    """The ``student.*`` entries of a distiller state dict, prefix removed,
    detached and on the CPU."""
    return OrderedDict(
        (k[len(STUDENT_PREFIX):], v.detach().cpu())
        for k, v in state_dict.items() if k.startswith(STUDENT_PREFIX))


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
