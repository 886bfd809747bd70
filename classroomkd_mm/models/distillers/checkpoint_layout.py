"""The distiller's state dict as plain hosts read it: the student's own
parameter names at the top level, beside the distiller's own entries.

``ClassroomDistiller.state_dict()`` (and so every checkpoint MMEngine
writes) holds::

    backbone.*, head.*, ...        the student, under its own names
    connectors.<mentor>.*          feature-loss connectors (trainable)
    classroom.skip_cache.*         mentor skipping's cache (exact resume)

so the plain student config loads any such checkpoint with MMPose's
``init_model`` or MMPose's/MMPretrain's ``tools/test.py`` (non-strict
``load_checkpoint``: the distiller's own entries are unexpected keys it
ignores) and scores the distilled student. Loading into a distiller takes
this layout, the older one (``student.*``, ``mentors.*``, ``skip_cache.*``:
mentors' entries are dropped, the configured mentors stay) and a plain
student checkpoint (its entries are the student's).
"""
import logging

from mmengine.logging import print_log

from classroomkd_mm.utils.student_weights import (DISTILLER_PREFIXES,
                                                  OLD_DISTILLER_PREFIXES,
                                                  STUDENT_PREFIX)

STUDENT, OWN_PREFIXES = STUDENT_PREFIX, DISTILLER_PREFIXES
OLD_MENTORS, OLD_SKIP_CACHE = OLD_DISTILLER_PREFIXES


def student_at_top_level(module, state_dict, prefix, local_metadata):
    """State-dict hook: ``student.x`` -> ``x`` (the student first), the
    classroom's state (the skip cache) added under ``classroom.``."""
    own = [k for k in state_dict if k.startswith(prefix)]
    entries = {k: state_dict.pop(k) for k in own}
    for key, value in entries.items():
        rest = key[len(prefix):]
        if rest.startswith(STUDENT):
            state_dict[prefix + rest[len(STUDENT):]] = value
    for key, value in entries.items():
        rest = key[len(prefix):]
        if rest.startswith(OWN_PREFIXES):
            state_dict[key] = value
    for key, value in module.classroom.state_dict().items():
        state_dict[prefix + 'classroom.' + key] = value
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is not None:
        for key in [k for k in metadata if k.startswith(prefix + STUDENT)]:
            metadata[prefix + key[len(prefix + STUDENT):]] = metadata.pop(key)


def load_into_distiller(module, state_dict, prefix, local_metadata, strict,
                        missing_keys, unexpected_keys, error_msgs):
    """Load-state-dict pre-hook: top-level entries go to the student, the
    ``classroom.`` entries into the classroom, an older layout's
    ``mentors.*`` are dropped (one log line) and its ``skip_cache.*`` are
    the classroom's."""
    classroom_state, dropped = {}, 0
    for key in [k for k in state_dict if k.startswith(prefix)]:
        rest = key[len(prefix):]
        if rest.startswith(('classroom.', OLD_SKIP_CACHE)):
            name = rest.split('.', 1)[1] if rest.startswith(
                'classroom.') else rest
            classroom_state[name] = state_dict.pop(key)
        elif rest.startswith(OLD_MENTORS):
            del state_dict[key]
            dropped += 1
        elif rest.startswith('data_preprocessor.'):
            state_dict.setdefault(prefix + STUDENT + rest, state_dict[key])
        elif not rest.startswith((STUDENT, ) + OWN_PREFIXES):
            state_dict[prefix + STUDENT + rest] = state_dict.pop(key)
    if dropped:
        print_log(
            'ClassroomDistiller: the loaded checkpoint holds mentor weights '
            '(an older layout); they are ignored: mentors come from their '
            "own `checkpoint=` files.", logger='current',
            level=logging.WARNING)
    classroom = module.classroom
    if classroom.skipping is None:
        return
    if not classroom_state:
        if strict:
            missing_keys.extend(prefix + 'classroom.' + k
                                for k in classroom.state_dict())
        return
    errors = classroom_state.get('skip_cache.errors')
    if errors is not None and errors.shape[1:] != (len(classroom), ):
        raise ValueError(
            f'The checkpoint\'s mentor skipping cache is for '
            f'{errors.shape[1]} mentors, the classroom has {len(classroom)} '
            f'({list(classroom.names)}): it was saved with other mentors. '
            'Resume with the config that wrote it; to start another '
            "classroom from its student, load_from its student file "
            '(*_student.pth).')
    classroom.load_state_dict(classroom_state, strict=strict)
