import os
import os.path as osp
import sys

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))
TESTS = osp.dirname(HERE)
# Reuse the tiny models of the classification and pose tests.
for folder in ('test_classification', 'test_pose'):
    path = osp.join(TESTS, folder)
    if path not in sys.path:
        sys.path.append(path)


@pytest.fixture(autouse=True)
def one_thread_mmpretrain_scope():
    import classroomkd_mm  # noqa: F401  (registries, safe loading)
    from mmengine.registry import init_default_scope
    torch.set_num_threads(1)
    init_default_scope('mmpretrain')


def pytest_configure(config):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
