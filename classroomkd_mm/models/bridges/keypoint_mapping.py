"""A mentor's keypoints selected and reordered into the student's."""
from typing import Sequence, Tuple

import torch
from torch import Tensor


def keypoint_mapping_index(name: str, mapping: Sequence, num_mentor: int,
                           num_student: int) -> Tuple[Tensor, Tensor]:
    """The gather index and keypoint mask of a
    ``keypoint_mapping=[(mentor_index, student_index), ...]`` (the convention
    of mmpose's ``KeypointConverter``).

    Returns ``index`` (``(K_s,)`` long: the mentor keypoint that student
    keypoint ``k`` reads, 0 where it has none) and ``mask`` (``(K_s,)``
    bool: student keypoint ``k`` has a mentor keypoint). Raises a ValueError
    naming mentor ``name`` and the fix for an index out of range, a student
    keypoint named twice or an empty mapping.
    """
    try:
        pairs = [(int(m), int(s)) for m, s in mapping]
    except (TypeError, ValueError):
        raise ValueError(
            f'Mentor {name!r}: keypoint_mapping must be a list of '
            f'(mentor_index, student_index) pairs, got {mapping!r}.') from None
    if not pairs:
        raise ValueError(f'Mentor {name!r}: keypoint_mapping is empty; give '
                         'at least one (mentor_index, student_index) pair, '
                         'or remove the mentor.')
    for m, s in pairs:
        if not 0 <= m < num_mentor or not 0 <= s < num_student:
            raise ValueError(
                f'Mentor {name!r}: keypoint_mapping pair ({m}, {s}) is out '
                f'of range: the mentor predicts {num_mentor} keypoints '
                f'(indices 0..{num_mentor - 1}) and the student '
                f'{num_student} (0..{num_student - 1}). Fix the pair, or '
                'check that the mentor config is the one you meant.')
    students = [s for _, s in pairs]
    if len(set(students)) != len(students):
        twice = sorted({s for s in students if students.count(s) > 1})
        raise ValueError(
            f'Mentor {name!r}: keypoint_mapping names student keypoints '
            f'{twice} more than once; each student keypoint takes at most '
            'one mentor keypoint.')
    index = torch.zeros(num_student, dtype=torch.long)
    mask = torch.zeros(num_student, dtype=torch.bool)
    for m, s in pairs:
        index[s] = m
        mask[s] = True
    return index, mask


def select_keypoints(outputs: Tensor, index: Tensor, mask: Tensor) -> Tensor:
    """``out[:, k] = outputs[:, index[k]]`` where ``mask[k]``, else 0::

        out_{i k ...} = mask_k * outputs_{i, index_k, ...}

    Args:
        outputs (Tensor): ``(N, K_m, ...)`` a mentor's per-keypoint outputs.
        index, mask (Tensor): ``(K_s,)`` from :func:`keypoint_mapping_index`.

    Returns:
        Tensor: ``(N, K_s, ...)``.
    """
    selected = outputs.index_select(1, index.to(outputs.device))
    keep = mask.to(outputs.device).view(1, -1, *([1] * (outputs.ndim - 2)))
    return torch.where(keep, selected, torch.zeros_like(selected))
