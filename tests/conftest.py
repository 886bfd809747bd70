"""Fixtures shared by the tests. The layout mirrors the repository:
``tests/test_<package folder>/...`` for ``classroomkd_mm/<folder>/``,
``tests/test_benchmarks/`` for ``benchmarks/``, ``tests/test_tools/`` for
``tools/`` and ``tests/test_configs/`` for ``configs/`` and the model index.
Helper modules live in ``tests/helpers/`` (``tests.helpers.<name>``).

``pytest -m "not slow"`` skips the Runner and subprocess runs."""
import os
import shutil

import pytest
import torch

from tests.helpers import SAMPLES


def pytest_configure(config):
    os.environ.setdefault('OMP_NUM_THREADS', '1')


@pytest.fixture(autouse=True)
def eager_mentors_by_default(request, monkeypatch):
    """Mentors run eagerly unless a test sets ``mentor_runtime`` or is
    marked ``engine_default``: the library's default (``engine='auto'``)
    exports each mentor to ONNX (seconds per mentor) and rounds its outputs
    by about 1e-7, which the recorded-loss tests would see. The programs'
    own tests (tests/test_models/test_classroom) name their engines."""
    if request.node.get_closest_marker('engine_default'):
        return
    from classroomkd_mm.models.classroom.mentor_program import \
        ProgramOptions
    defaults = ProgramOptions.__new__.__defaults__
    monkeypatch.setattr(ProgramOptions.__new__, '__defaults__',
                        ('eager', ) + tuple(defaults[1:]))


@pytest.fixture
def mmpretrain_scope():
    """One torch thread and mmpretrain as the default scope."""
    import classroomkd_mm  # noqa: F401  (registries, safe loading)
    from mmengine.registry import init_default_scope
    torch.set_num_threads(1)
    init_default_scope('mmpretrain')


@pytest.fixture
def mmpose_scope():
    """One torch thread and every mmpose module registered, mmpose the
    default scope; skips where mmpose is not installed."""
    pytest.importorskip('mmpose')
    import classroomkd_mm  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()
    torch.set_num_threads(1)


@pytest.fixture
def sample_data(tmp_path):
    """Copies of the bundled COCO and MPII samples (the tests write next to
    them, e.g. the MPII head boxes)."""
    out = tmp_path / 'data'
    shutil.copytree(SAMPLES, out)
    return str(out)


@pytest.fixture
def exports(monkeypatch):
    """The names of the mentors exported to ONNX while the test runs."""
    from classroomkd_mm.models.classroom import engine_program
    calls = []
    original = engine_program.export_mentor

    def counting(name, *args, **kwargs):
        calls.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(engine_program, 'export_mentor', counting)
    return calls
