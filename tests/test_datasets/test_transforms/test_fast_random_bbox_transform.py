"""FastRandomBBoxTransform: mmpose's RandomBBoxTransform with a cheap
truncated normal, giving the same draws from the same numpy stream."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope

pytest.importorskip('mmpose')
from mmpose.datasets.transforms import RandomBBoxTransform  # noqa: E402
from mmpose.registry import TRANSFORMS  # noqa: E402

from classroomkd_mm.datasets.transforms import \
    FastRandomBBoxTransform  # noqa: E402

pytestmark = pytest.mark.usefixtures('mmpose_scope')


def bbox_results(num_bboxes):
    rng = np.random.RandomState(7)
    centers = rng.uniform(20, 80, size=(num_bboxes, 2)).astype(np.float32)
    scales = rng.uniform(10, 40, size=(num_bboxes, 2)).astype(np.float32)
    return dict(bbox_center=centers, bbox_scale=scales,
                bbox_rotation=None)


def test_truncnorm_draws_equal_scipy_after_float32_cast():
    np.random.seed(0)
    reference = RandomBBoxTransform._truncnorm(size=(2_000_000, ))
    after_reference = np.random.uniform()
    np.random.seed(0)
    fast = FastRandomBBoxTransform._truncnorm(size=(2_000_000, ))
    # bit-identical values, and the generator left in the same state
    np.testing.assert_array_equal(fast, reference)
    assert np.random.uniform() == after_reference
    assert fast.dtype == np.float32
    assert -1 <= fast.min() < -0.99 and 0.99 < fast.max() <= 1
    # truncated to [-1, 1]: variance 1 - 2 phi(1) / (2 Phi(1) - 1)
    assert abs(fast.mean()) < 2e-3
    assert fast.var() == pytest.approx(0.2911, abs=2e-3)


def test_other_bounds_and_shapes_match_scipy():
    for low, high, size in [(-2., 0.5, (3, 2)), (0.2, 3., (4, 1)),
                            (-1., 1., ())]:
        np.random.seed(3)
        reference = RandomBBoxTransform._truncnorm(low, high, size)
        np.random.seed(3)
        fast = FastRandomBBoxTransform._truncnorm(low, high, size)
        assert fast.shape == reference.shape == size
        np.testing.assert_array_equal(fast, reference)


@pytest.mark.parametrize('num_bboxes', [1, 3])
def test_transform_equals_mmpose_transform(num_bboxes):
    settings = dict(scale_factor=(0.8, 1.2), rotate_factor=30)
    outputs = []
    for transform in (RandomBBoxTransform(**settings),
                      FastRandomBBoxTransform(**settings)):
        np.random.seed(11)
        outputs.append([transform(bbox_results(num_bboxes))
                        for _ in range(200)])
    for reference, fast in zip(*outputs):
        for key in ('bbox_center', 'bbox_scale', 'bbox_rotation'):
            np.testing.assert_array_equal(fast[key], reference[key])


def test_builds_from_an_mmpose_config():
    init_default_scope('mmpose')
    transform = TRANSFORMS.build(
        dict(type='classroomkd_mm.FastRandomBBoxTransform',
             scale_factor=(0.8, 1.2), rotate_factor=30))
    assert isinstance(transform, FastRandomBBoxTransform)
    assert transform.rotate_factor == 30
