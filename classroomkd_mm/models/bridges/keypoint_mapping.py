"""A mentor's keypoints selected and reordered into the student's.

A mentor entry's ``keypoint_mapping`` is a list of ``(mentor_index,
student_index)`` pairs (mmpose's ``KeypointConverter`` convention), or
``dict(pairs=[...], allow_many_to_one=False, allow_renamed_keypoints=False)``
to opt into what is refused by default:

- many-to-one: one mentor keypoint feeding several student keypoints (its
  prediction taught as the truth of each of them);
- renamed keypoints: where both models name their keypoints (mmpose dataset
  metainfo, ``keypoint_id2name``), a pair whose names differ, e.g. a
  reversed COCO -> COCO mapping. A real use: two datasets that spell the
  same point differently (``'l_shoulder'`` / ``'left_shoulder'``).
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor

#: the opt-ins a ``keypoint_mapping=dict(...)`` may set besides ``pairs``
MAPPING_OPTIONS = ('allow_many_to_one', 'allow_renamed_keypoints')
#: how many contradicting pairs an error lists
MAX_LISTED = 6


def keypoint_names(source) -> Optional[Tuple[str, ...]]:
    """The keypoint names of ``source``: an mmpose model (its ``metainfo``,
    from the model config's ``metainfo=dict(from_file=...)``, else its
    ``dataset_meta``, from ``init_model`` or a checkpoint) or a parsed pose
    metainfo dict (``keypoint_id2name``); None where they are not known."""
    metas = [source] if isinstance(source, dict) else [
        getattr(source, 'metainfo', None),
        getattr(source, 'dataset_meta', None)]
    for meta in metas:
        if isinstance(meta, dict) and isinstance(
                meta.get('keypoint_id2name'), dict):
            id2name = meta['keypoint_id2name']
            try:
                return tuple(str(id2name[i]) for i in range(len(id2name)))
            except KeyError:
                return None
    return None


def _same_name(a: str, b: str) -> bool:
    def norm(name):
        return name.strip().lower().replace('-', '_').replace(' ', '_')
    return norm(a) == norm(b)


def _read_mapping(name: str, mapping):
    """``(pairs, options)`` of either form of ``keypoint_mapping``."""
    options = dict.fromkeys(MAPPING_OPTIONS, False)
    if isinstance(mapping, dict):
        unknown = sorted(set(mapping) - {'pairs', *MAPPING_OPTIONS})
        if unknown or 'pairs' not in mapping:
            raise ValueError(
                f'Mentor {name!r}: keypoint_mapping=dict(...) takes pairs='
                f'[(mentor_index, student_index), ...] and the opt-ins '
                f'{", ".join(MAPPING_OPTIONS)}; got keys {sorted(mapping)}.')
        options.update({k: bool(mapping[k]) for k in MAPPING_OPTIONS
                        if k in mapping})
        mapping = mapping['pairs']
    try:
        pairs = [(int(m), int(s)) for m, s in mapping]
    except (TypeError, ValueError):
        raise ValueError(
            f'Mentor {name!r}: keypoint_mapping must be a list of '
            f'(mentor_index, student_index) pairs, got {mapping!r}.') from None
    return pairs, options


def _label(names, index) -> str:
    return f'{index} {names[index]!r}' if names else str(index)


def check_same_keypoints(name: str, mentor_names: Optional[Sequence[str]],
                         student_names: Optional[Sequence[str]]) -> None:
    """For a mentor without ``keypoint_mapping`` (keypoint ``k`` teaches
    student keypoint ``k``): where both sides name their keypoints, raise a
    ValueError naming the first keypoints whose names differ, and the fix."""
    if not mentor_names or not student_names or \
            len(mentor_names) != len(student_names):
        return
    differ = [k for k, (m, s) in enumerate(zip(mentor_names, student_names))
              if not _same_name(m, s)]
    if differ:
        listed = ', '.join(f'{k}: {mentor_names[k]!r} vs {student_names[k]!r}'
                           for k in differ[:MAX_LISTED])
        raise ValueError(
            f'Mentor {name!r} has no keypoint_mapping, so its keypoint k '
            f'teaches student keypoint k, but {len(differ)} of the '
            f'{len(student_names)} keypoints are named differently ({listed}'
            f'{", ..." if len(differ) > MAX_LISTED else ""}). Give '
            '`keypoint_mapping=[(mentor_index, student_index), ...]` pairing '
            'keypoints of the same name.')


def keypoint_mapping_index(name: str, mapping, num_mentor: int,
                           num_student: int,
                           mentor_names: Optional[Sequence[str]] = None,
                           student_names: Optional[Sequence[str]] = None
                           ) -> Tuple[Tensor, Tensor]:
    """The gather index and keypoint mask of a
    ``keypoint_mapping=[(mentor_index, student_index), ...]`` (the convention
    of mmpose's ``KeypointConverter``; or its ``dict(pairs=..., ...)`` form,
    see the module docstring).

    Returns ``index`` (``(K_s,)`` long: the mentor keypoint that student
    keypoint ``k`` reads, 0 where it has none) and ``mask`` (``(K_s,)``
    bool: student keypoint ``k`` has a mentor keypoint). Raises a ValueError
    naming mentor ``name`` and the fix for an index out of range, a student
    keypoint named twice, an empty mapping, a mentor keypoint feeding
    several student keypoints (unless ``allow_many_to_one``), and, where
    ``mentor_names`` and ``student_names`` are both given
    (:func:`keypoint_names`), a pair whose names differ (unless
    ``allow_renamed_keypoints``).
    """
    pairs, options = _read_mapping(name, mapping)
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
    if mentor_names is not None and len(mentor_names) != num_mentor:
        mentor_names = None   # names of another model: not these keypoints
    if student_names is not None and len(student_names) != num_student:
        student_names = None
    mentors = [m for m, _ in pairs]
    shared = sorted({m for m in mentors if mentors.count(m) > 1})
    if shared and not options['allow_many_to_one']:
        feeds = '; '.join(
            f'mentor keypoint {_label(mentor_names, m)} -> student keypoints '
            + ', '.join(_label(student_names, s) for mm, s in pairs
                        if mm == m) for m in shared[:MAX_LISTED])
        raise ValueError(
            f'Mentor {name!r}: keypoint_mapping is many-to-one ({feeds}): '
            'one mentor prediction would be taught as the truth of several '
            'student keypoints. Pair each mentor keypoint with at most one '
            'student keypoint, or, if that is meant, give keypoint_mapping='
            'dict(pairs=[...], allow_many_to_one=True).')
    if mentor_names and student_names and \
            not options['allow_renamed_keypoints']:
        renamed = [(m, s) for m, s in pairs
                   if not _same_name(mentor_names[m], student_names[s])]
        if renamed:
            listed = '; '.join(
                f'mentor {_label(mentor_names, m)} -> student '
                f'{_label(student_names, s)}' for m, s in renamed[:MAX_LISTED])
            raise ValueError(
                f'Mentor {name!r}: keypoint_mapping contradicts the keypoint '
                f'names of the mentor and the student on {len(renamed)} of '
                f'{len(pairs)} pairs ({listed}'
                f'{"; ..." if len(renamed) > MAX_LISTED else ""}). Pair each '
                'mentor keypoint with the student keypoint of the same name, '
                'or, if the names differ for the same point, give '
                'keypoint_mapping=dict(pairs=[...], '
                'allow_renamed_keypoints=True).')
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
