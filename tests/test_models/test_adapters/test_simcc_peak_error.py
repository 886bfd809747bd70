"""The decoded-keypoint ranking error of SimCCAdapter(error='peak')."""
import math

import pytest
import torch
from mmpose.models.losses import KLDiscretLoss

from classroomkd_mm.models.adapters import (SimCCAdapter, SimCCTargets,
                                            simcc_error, simcc_peak_error)

pytestmark = pytest.mark.usefixtures('mmpose_scope')


def one_hot(bins, index):
    vector = torch.zeros(bins)
    vector[index] = 1.0
    return vector


def test_decoded_distance_by_hand():
    # keypoint 0: decoded (x 3, y 1), target (x 0, y 1): d = 9
    # keypoint 1: decoded (x 5, y 6), target (x 5, y 2): d = 16, weight 0.5
    pred = (torch.stack([one_hot(8, 3), one_hot(8, 5)])[None],
            torch.stack([one_hot(10, 1), one_hot(10, 6)])[None])
    gt = (torch.stack([one_hot(8, 0), one_hot(8, 5)])[None],
          torch.stack([one_hot(10, 1), one_hot(10, 2)])[None])
    w = torch.tensor([[1.0, 0.5]])
    assert simcc_peak_error(pred, gt, w).item() == pytest.approx(
        (9 + 0.5 * 16) / 2)
    assert simcc_peak_error(pred, gt, torch.tensor([[0.0, 1.0]])).item() \
        == pytest.approx(16.0)
    assert math.isnan(simcc_peak_error(pred, gt, torch.zeros(1, 2)).item())


def test_a_flat_rendering_in_the_right_bin_has_no_error():
    """The case the decoded error exists for (issue 26's cause 2): a mentor
    rendered as a wide distribution whose peak is the ground-truth bin has a
    loss above a student that fits its sharp target one bin off, but no
    decoded error."""
    bins = torch.arange(48.)
    loss = KLDiscretLoss(beta=1.0, label_softmax=False, use_target_weight=True)

    def gaussian(centre, sigma):
        g = torch.exp(-(bins - centre)**2 / (2 * sigma**2))
        return (g / g.sum())[None, None]

    gt = (gaussian(20, 2.0), gaussian(30, 2.0))
    wide = (gaussian(20, 12.0).log(), gaussian(30, 12.0).log())  # logits
    student = (gaussian(21, 2.0).clamp_min(1e-12).log(),
               gaussian(30, 2.0).clamp_min(1e-12).log())
    targets = SimCCTargets(*gt, torch.ones(1, 1))
    assert simcc_error(loss, wide, targets) > simcc_error(
        loss, student, targets)
    assert simcc_peak_error(wide, gt, targets.keypoint_weights).item() == 0
    assert simcc_peak_error(student, gt,
                            targets.keypoint_weights).item() == 1


def test_adapter_option():
    pred = (torch.randn(2, 3, 16), torch.randn(2, 3, 20))
    targets = SimCCTargets(torch.rand(2, 3, 16), torch.rand(2, 3, 20),
                           torch.ones(2, 3))
    adapter = SimCCAdapter(error='peak')
    adapter.loss_module = KLDiscretLoss()
    assert torch.equal(adapter.per_sample_error(pred, targets),
                       simcc_peak_error(pred, targets[:2], targets[2]))
    with pytest.raises(ValueError, match="error='l1' is not one of"):
        SimCCAdapter(error='l1')


def test_distiller_config_selects_the_peak_error(tmp_path):
    from tests.helpers.pose_models import batch, distiller, simcc_model
    model = distiller(simcc_model(), dict(wide=simcc_model(channels=32)),
                      tmp_path, adapter=dict(type='SimCCAdapter',
                                             error='peak'))
    assert model.adapter.error == 'peak'
    visible = torch.ones(4, 17)
    visible[1] = 0
    losses = model.loss(*batch(visible=visible))
    assert all(torch.isfinite(torch.as_tensor(v)).all()
               for v in losses.values())
