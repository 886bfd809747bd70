import os

import pytest
import torch

@pytest.fixture(autouse=True)
def one_thread_mmpretrain_scope():
    import classroomkd_mm  # noqa: F401  (registries, safe loading)
    from mmengine.registry import init_default_scope
    torch.set_num_threads(1)
    init_default_scope('mmpretrain')


def pytest_configure(config):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
