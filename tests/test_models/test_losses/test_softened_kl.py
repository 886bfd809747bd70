"""softened_kl, the one KL behind the logit, heatmap and SimCC divergences."""
import math

import torch

from classroomkd_mm.models.losses import (heatmap_kl_divergence,
                                          logit_kl_divergence, softened_kl,
                                          simcc_kl_divergence)


def test_golden_values():
    # p = softmax((ln 3, 0) / T), q = (0.5, 0.5):
    # T = 1: 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812
    # T = 2: p = (sqrt 3, 1) / (sqrt 3 + 1) -> 0.036341
    student = torch.zeros(2, 2)
    mentor = torch.tensor([[math.log(3), 0.]]).repeat(2, 1)
    kl = softened_kl(student, mentor, torch.tensor([[1.], [2.]]))
    torch.testing.assert_close(kl, torch.tensor([0.130812, 0.036341]),
                               atol=1e-6, rtol=0)
    assert softened_kl(mentor, mentor, torch.ones(2, 1)).abs().max() < 1e-7


def test_the_three_divergences_are_softened_kl():
    torch.manual_seed(0)
    t = torch.tensor([1.0, 2.5])
    s, m = torch.randn(2, 5), torch.randn(2, 5)
    assert torch.equal(logit_kl_divergence(s, m, t),
                       softened_kl(s, m, t[:, None]))

    hs, hm = torch.rand(2, 3, 4, 4), torch.rand(2, 3, 4, 4)
    w = torch.ones(2, 3)
    per_keypoint = softened_kl(10 * hs.flatten(2), 10 * hm.flatten(2),
                               t.view(-1, 1, 1))
    torch.testing.assert_close(
        heatmap_kl_divergence(hs, hm, t, w, logit_scale=10.),
        per_keypoint.mean(-1))

    xs, xm = torch.randn(2, 3, 8), torch.randn(2, 3, 8)
    ys, ym = torch.randn(2, 3, 6), torch.randn(2, 3, 6)
    per_keypoint = (softened_kl(2 * xs, 2 * xm, t.view(-1, 1, 1)) +
                    softened_kl(2 * ys, 2 * ym, t.view(-1, 1, 1)))
    torch.testing.assert_close(
        simcc_kl_divergence((xs, ys), (xm, ym), t, w, logit_scale=2.),
        per_keypoint.mean(-1))
