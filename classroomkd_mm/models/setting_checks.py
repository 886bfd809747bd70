"""Build-time checks of numeric settings, with errors naming the component
and the setting."""
import math
import numbers
from typing import Optional


def check_number(owner: str, name: str, value, *, minimum: float = None,
                 above: float = None, maximum: float = None,
                 optional: bool = False) -> Optional[float]:
    """``float(value)`` if it is a real number (not a bool or a string),
    finite, ``>= minimum``, ``> above`` and ``<= maximum`` (those given);
    ``None`` passes when ``optional``. Otherwise a ``ValueError`` such as
    ``MentoringLoss: tau must be a finite number >= 0, got nan``."""
    if value is None and optional:
        return None
    rules = [r for r in (f'>= {minimum}' if minimum is not None else '',
                         f'> {above}' if above is not None else '',
                         f'<= {maximum}' if maximum is not None else '') if r]
    wanted = 'a finite number' + (' ' + ' and '.join(rules) if rules else '')
    if optional:
        wanted += ' (or None)'
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) \
        and math.isfinite(value) \
        and (minimum is None or value >= minimum) \
        and (above is None or value > above) \
        and (maximum is None or value <= maximum)
    if not ok:
        raise ValueError(f'{owner}: {name} must be {wanted}, got {value!r}.')
    return float(value)


def options_from_dict(owner: str, options_type, cfg, example: str):
    """``options_type(**cfg)`` for a NamedTuple of options; a ``TypeError``
    when ``cfg`` is no dict (``example`` shows one) and a ``ValueError``
    naming unknown keys and the known ones."""
    if not isinstance(cfg, dict):
        raise TypeError(f'{owner} must be a dict such as {example}, got '
                        f'{cfg!r}.')
    unknown = set(cfg) - set(options_type._fields)
    if unknown:
        raise ValueError(f'{owner}: unknown keys {sorted(unknown)}; known: '
                         f'{list(options_type._fields)}.')
    return options_type(**cfg)
