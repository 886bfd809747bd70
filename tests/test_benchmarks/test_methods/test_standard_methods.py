"""benchmarks/methods/standard_methods.py: the shared method table."""
import pytest

from benchmarks.methods.standard_methods import standard_methods

FIXED = dict(base_temperature=1.0, loss_weight=1.0)
GAP = dict(tau=12.0, base_temperature=1.0, loss_weight=1.0)
MAIN = ['nokd', 'kd', 'aver', 'camkd', 'ebkd', 'dgkd', 'classroomkd']


def test_every_group_by_default():
    methods = standard_methods(['a', 'b', 'c'], FIXED, GAP)
    assert list(methods)[:len(MAIN)] == MAIN
    assert {'kf_only', 'mentoring_only', 'classroomkd_batch',
            'classroomkd_m1', 'classroomkd_m2'} <= set(methods)


def test_groups_keeps_only_those_methods():
    everything = standard_methods(['a', 'b', 'c'], FIXED, GAP)
    main = standard_methods(['a', 'b', 'c'], FIXED, GAP, groups=['main'])
    assert list(main) == MAIN
    assert all(main[name] == everything[name] for name in MAIN)
    sizes = standard_methods(['a', 'b', 'c'], FIXED, GAP,
                             groups=['classroom size'])
    assert list(sizes) == ['classroomkd_m1', 'classroomkd_m2']


def test_an_unknown_group_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown groups \['mian'\].*"
                       r"'ablations'.*'main'"):
        standard_methods(['a', 'b'], FIXED, GAP, groups=['mian'])
