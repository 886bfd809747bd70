import os
import os.path as osp

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
SAMPLES = osp.join(REPO, 'data', 'samples')

pytest.importorskip('mmpose')


@pytest.fixture(scope='session', autouse=True)
def mmpose_scope():
    import classroomkd_mm  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()
    torch.set_num_threads(1)


@pytest.fixture
def sample_data(tmp_path):
    """Copies of the bundled COCO and MPII samples (the tests write next to
    them, e.g. the MPII head boxes)."""
    import shutil
    out = tmp_path / 'data'
    shutil.copytree(SAMPLES, out)
    return str(out)


def pytest_configure(config):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
