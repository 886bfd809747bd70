import math

import torch

from classroomkd_mm.models.bridges.simcc_heatmap_conversion import (
    heatmaps_to_simcc, resample_simcc, simcc_to_heatmaps)


def gaussian(length, mu, sigma):
    x = torch.arange(length, dtype=torch.float32)
    return torch.exp(-(x - mu)**2 / (2 * sigma**2))


def test_confident_simcc_becomes_the_codec_gaussian_at_its_keypoint():
    # Input 192x256, split ratio 2: 384 x 512 bins. Keypoint at input
    # (100, 60) -> bins (200, 120) -> heatmap 48x64 pixel (25, 15).
    x = torch.full((1, 1, 384), -1e4)
    y = torch.full((1, 1, 512), -1e4)
    x[..., 200] = 0
    y[..., 120] = 0
    h = simcc_to_heatmaps(x, y, 10.0, (48, 64), sigma=2.0)
    assert h.shape == (1, 1, 64, 48)
    expected = gaussian(64, 15, 2.0)[:, None] * gaussian(48, 25, 2.0)[None]
    assert torch.allclose(h[0, 0], expected, atol=1e-6)


def test_unsure_simcc_gives_a_lower_blob_and_uses_the_logit_scale():
    x = torch.zeros(1, 1, 16)
    x[..., 8] = 1.0
    y = x.clone()
    sharp = simcc_to_heatmaps(x, y, 100.0, (8, 8), sigma=1.0)
    soft = simcc_to_heatmaps(x, y, 1.0, (8, 8), sigma=1.0)
    assert torch.isclose(sharp[0, 0, 4, 4], torch.tensor(1.0), atol=1e-4)
    assert soft[0, 0, 4, 4] < 0.5
    assert soft[0, 0].argmax() == 4 * 8 + 4
    # beta = 1: p(8) = e / (e + 15) on each axis, the rest spread evenly
    p = torch.full((16, ), 1 / (math.e + 15))
    p[8] = math.e / (math.e + 15)
    cells = torch.arange(8.)
    h_x = (p[:, None] * torch.exp(-(cells[None] - torch.arange(16.)[:, None]
                                    / 2)**2 / 2)).sum(0)
    assert torch.allclose(soft[0, 0], h_x[:, None] * h_x[None], atol=1e-6)


def test_heatmap_marginals_give_the_separable_gaussian_back():
    # A separable Gaussian heatmap g(y) g(x) on 48x64 at pixel (12, 20)
    # gives peak-1 labels peaking at bins 12 * 8 = 96 and 20 * 8 = 160.
    h = (gaussian(64, 20, 2.0)[:, None] * gaussian(48, 12, 2.0)[None])
    sx, sy = heatmaps_to_simcc(h[None, None], (384, 512))
    assert sx.shape == (1, 1, 384) and sy.shape == (1, 1, 512)
    assert int(sx.argmax()) == 96 and int(sy.argmax()) == 160
    assert torch.isclose(sx.max(), torch.tensor(1.0))
    # on the heatmap grid points the label is g itself
    assert torch.allclose(sx[0, 0, ::8], gaussian(48, 12, 2.0), atol=1e-6)


def test_round_trip_simcc_heatmap_simcc_keeps_every_keypoint():
    # Five keypoints at bins on the 8-bin heatmap grid: SimCC -> heatmap ->
    # SimCC returns the codec's Gaussian there, peaking at the same bins.
    bins = (384, 512)
    xs, ys = [40, 96, 200, 256, 320], [64, 160, 240, 400, 480]
    x = torch.stack([gaussian(bins[0], m, 4.9) for m in xs])[None]
    y = torch.stack([gaussian(bins[1], m, 5.66) for m in ys])[None]
    h = simcc_to_heatmaps(x, y, 10.0, (48, 64), sigma=2.0)
    x2, y2 = heatmaps_to_simcc(h, bins)
    assert x2.argmax(-1).tolist() == [xs]
    assert y2.argmax(-1).tolist() == [ys]
    # softmax(10 x) is narrow (a fraction of a heatmap pixel, plus a floor of
    # e^-10 per far bin): what comes back is the sigma-2 heatmap Gaussian,
    # 16 bins wide, with its peak at 1.
    assert torch.allclose(x2[0, 1, ::8], gaussian(48, 12, 2.0), atol=5e-3)
    assert torch.allclose(x2.amax(-1), torch.ones(1, 5))


def test_resample_simcc_to_another_input_size_and_beta():
    # 288x384 mentor at ratio 2 (576 bins) to a 192x256 student (384 bins):
    # mentor bin 300 is student bin 200.
    x = gaussian(576, 300, 4.9)[None, None]
    y = gaussian(768, 150, 4.9)[None, None]
    sx, sy = resample_simcc(x, y, (384, 512), logit_scale_ratio=0.5)
    assert int(sx.argmax()) == 200 and int(sy.argmax()) == 100
    assert torch.isclose(sx.max(), torch.tensor(0.5))
