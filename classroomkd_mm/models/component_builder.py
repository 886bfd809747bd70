"""Build our registered components with errors that name the fix."""
import copy
import difflib

from classroomkd_mm.registry import MODELS


def build_component(cfg: dict, role: str = 'component'):
    """Build one of our components whatever the config's default scope; an
    unknown ``type`` names the ``role`` (e.g. ``'policy'``,
    ``'divergence'``) and the closest registered names."""
    cfg = copy.deepcopy(dict(cfg))
    name = cfg.get('type')
    if isinstance(name, str) and '.' not in name:
        cfg.setdefault('_scope_', 'classroomkd_mm')
        if name not in MODELS.module_dict and MODELS.get(name) is None:
            known = {k.lower(): k for k in MODELS.module_dict}
            close = [known[k] for k in difflib.get_close_matches(
                name.lower(), known, 3)]
            hint = (f'did you mean {" or ".join(map(repr, close))}?'
                    if close else 'registered here: ' +
                    ', '.join(sorted(MODELS.module_dict)) + '.')
            raise KeyError(
                f'ClassroomDistiller: unknown {role} type {name!r}; {hint} '
                '(your own classes need registering in a module listed in '
                'custom_imports).')
    return MODELS.build(cfg)
