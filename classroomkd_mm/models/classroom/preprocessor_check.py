"""Mentors see the student's preprocessed batch: their normalisation must
agree."""
import torch
import torch.nn as nn


def _normalisation(preprocessor: nn.Module):
    mean = getattr(preprocessor, 'mean', None)
    std = getattr(preprocessor, 'std', None)
    enabled = getattr(preprocessor, '_enable_normalize', mean is not None)
    return dict(
        mean=mean.flatten().tolist() if enabled and mean is not None else None,
        std=std.flatten().tolist() if enabled and std is not None else None,
        bgr_to_rgb=bool(getattr(preprocessor, '_channel_conversion', False)))


def check_same_normalisation(name: str, mentor: nn.Module,
                             student: nn.Module):
    """Raise if ``mentor``'s own data preprocessor would normalise inputs
    differently from ``student``'s (mean, std or channel order)."""
    mentor_pp = getattr(mentor, 'data_preprocessor', None)
    student_pp = getattr(student, 'data_preprocessor', None)
    if mentor_pp is None or student_pp is None:
        return
    theirs, ours = _normalisation(mentor_pp), _normalisation(student_pp)
    same = theirs['bgr_to_rgb'] == ours['bgr_to_rgb']
    for key in ('mean', 'std'):
        a, b = theirs[key], ours[key]
        if (a is None) != (b is None) or (a is not None and (
                len(a) != len(b)
                or not torch.allclose(torch.tensor(a), torch.tensor(b)))):
            same = False
    if not same:
        raise ValueError(
            f'Mentor {name!r} was configured with input normalisation '
            f'{theirs}, but the student normalises with {ours}. Mentors run '
            "on the student's preprocessed batch, so they would see inputs "
            'unlike those they were trained on. Use mentors trained with the '
            "student's normalisation (a mentor that names no "
            "`data_preprocessor` takes the student's), or train the student "
            "with the mentors' normalisation.")
