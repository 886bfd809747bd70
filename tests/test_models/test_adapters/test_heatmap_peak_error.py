"""The peak-distance ranking error of HeatmapAdapter(error='peak')."""
import math

import pytest
import torch

from classroomkd_mm.models.adapters import (HeatmapAdapter, HeatmapTargets,
                                            heatmap_error, heatmap_peak_error)

pytestmark = pytest.mark.usefixtures('mmpose_scope')


def one_hot(h, w, y, x, value=1.0):
    heatmap = torch.zeros(h, w)
    heatmap[y, x] = value
    return heatmap


def test_peak_distance_by_hand():
    # keypoint 0: peak at (1, 2), target at (1, 0): d = 4
    # keypoint 1: peak at (3, 3), target at (0, 3): d = 9, weight 0.5
    pred = torch.stack([one_hot(4, 4, 1, 2), one_hot(4, 4, 3, 3)])[None]
    gt = torch.stack([one_hot(4, 4, 1, 0), one_hot(4, 4, 0, 3)])[None]
    w = torch.tensor([[1.0, 0.5]])
    assert heatmap_peak_error(pred, gt, w).item() == pytest.approx(
        (4 + 0.5 * 9) / 2)
    assert heatmap_peak_error(pred, gt, torch.tensor([[0.0, 1.0]])).item() \
        == pytest.approx(9.0)
    assert math.isnan(heatmap_peak_error(pred, gt, torch.zeros(1, 2)).item())


def test_flat_heatmap_ranks_below_a_near_miss_only_with_peaks():
    """The case the peak error exists for: a weak mentor's low, flat heatmap
    against a student whose sharp peak is 4 cells off (sigma-2 targets)."""
    ys, xs = torch.meshgrid(torch.arange(16.), torch.arange(12.),
                            indexing='ij')

    def gaussian(y, x):
        return torch.exp(-((ys - y)**2 + (xs - x)**2) / (2 * 2.0**2))

    gt = gaussian(8, 6)[None, None]
    student = gaussian(8, 10)[None, None]       # 4 cells off
    flat = 0.05 * gaussian(8, 6)[None, None] + 0.02   # low, nearly flat
    flat[..., 0, 0] = 0.08                      # its peak: a corner
    w = torch.ones(1, 1)
    # heatmap MSE says the flat heatmap is the better one ...
    assert heatmap_error(flat, gt, w) < heatmap_error(student, gt, w)
    # ... the peak distance says the student is
    assert heatmap_peak_error(student, gt, w) < heatmap_peak_error(
        flat, gt, w)


def test_adapter_option():
    pred = torch.rand(2, 3, 8, 6)
    targets = HeatmapTargets(torch.rand(2, 3, 8, 6), torch.ones(2, 3))
    assert torch.equal(HeatmapAdapter(error='peak').per_sample_error(
        pred, targets), heatmap_peak_error(pred, *targets))
    assert torch.equal(HeatmapAdapter().per_sample_error(pred, targets),
                       heatmap_error(pred, *targets))
    with pytest.raises(ValueError, match="error='l1' is not one of"):
        HeatmapAdapter(error='l1')


def test_distiller_config_selects_the_peak_error(tmp_path):
    from tests.helpers.pose_models import heatmap_model
    from tests.helpers.pose_models import batch, distiller
    student = heatmap_model()
    model = distiller(student, dict(wide=heatmap_model(base_channels=32)),
                      tmp_path, adapter=dict(type='HeatmapAdapter',
                                             error='peak'))
    assert model.adapter.error == 'peak'
    visible = torch.ones(4, 17)
    visible[1] = 0
    losses = model.loss(*batch(visible=visible))
    assert all(torch.isfinite(torch.as_tensor(v)).all()
               for v in losses.values())
