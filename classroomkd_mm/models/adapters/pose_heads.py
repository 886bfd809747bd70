"""Which mmpose top-down estimators an adapter can drive."""
from typing import Sequence

import torch.nn as nn


def has_topdown_head(model: nn.Module, head_names: Sequence[str]) -> bool:
    """``model`` has ``extract_feat`` and a head of one of the mmpose classes
    ``head_names`` (or a subclass) that keeps that class's ``loss``, so the
    adapter reproduces the head's loss exactly. False without mmpose."""
    try:
        from mmpose.models import heads
    except ImportError:
        return False
    classes = tuple(getattr(heads, name) for name in head_names)
    head = getattr(model, 'head', None)
    return (hasattr(model, 'extract_feat') and isinstance(head, classes)
            and type(head).loss in {cls.loss for cls in classes})
