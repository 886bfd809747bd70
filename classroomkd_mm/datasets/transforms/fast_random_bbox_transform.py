"""mmpose's ``RandomBBoxTransform`` with a cheap truncated normal."""
import numpy as np
from mmpose.datasets.transforms import RandomBBoxTransform
from scipy.special import ndtr, ndtri

from classroomkd_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FastRandomBBoxTransform(RandomBBoxTransform):
    """``RandomBBoxTransform`` (shift, scale and rotate the bbox) whose
    truncated normal costs microseconds instead of milliseconds.

    mmpose 1.1.0 draws three ``scipy.stats.truncnorm.rvs`` per sample, about
    0.4 ms each on one CPU core: about a third of the data pipeline of a
    small top-down model, and 5 s of a 250-iteration batch-16 run. Here the
    same inverse-CDF sampling is written out,

        x = Phi^-1(Phi(low) + u * (Phi(high) - Phi(low))),  u ~ U[0, 1),

    with ``u`` drawn from numpy's global generator exactly as ``truncnorm``
    draws it (one uniform per value, same shape, same order). It is the same
    distribution and the same draws; only float64 rounding differs (under
    1e-15), and after the cast to float32 the values are identical (checked
    on 2 million draws in the tests), so a run with this transform gives the
    same result as one with mmpose's. Arguments: those of
    ``RandomBBoxTransform``.
    """

    @staticmethod
    def _truncnorm(low: float = -1.,
                   high: float = 1.,
                   size: tuple = ()) -> np.ndarray:
        """Sample the standard normal truncated to [low, high]."""
        cdf_low, cdf_high = ndtr(low), ndtr(high)
        uniform = np.random.uniform(size=size)
        return ndtri(cdf_low + uniform * (cdf_high - cdf_low)).astype(
            np.float32)
