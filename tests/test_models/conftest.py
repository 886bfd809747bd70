import os.path as osp
import sys

import pytest
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))


@pytest.fixture
def mmpose_scope():
    pytest.importorskip('mmpose')
    import classroomkd_mm  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()
    torch.set_num_threads(1)
