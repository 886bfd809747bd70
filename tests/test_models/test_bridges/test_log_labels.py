"""The pieces of the bridge's label path: quadratic resampling, continuous
peaks, width matching, crop placement and score weighting."""
import math

import pytest
import torch

from classroomkd_mm.models.bridges.crop_position import \
    quadratic_resampling_matrix
from classroomkd_mm.models.bridges.crop_resize import crop_placement
from classroomkd_mm.models.bridges.mentor_labels import (
    continuous_peak, heatmap_log_labels, simcc_log_labels)
from classroomkd_mm.models.bridges.student_targets import (
    match_width, score_weighted_heatmaps, score_weighted_simcc)


def log_gaussian(length, mu, sigma):
    x = torch.arange(length, dtype=torch.float32)
    return -(x - mu)**2 / (2 * sigma**2)


def test_quadratic_resampling_is_exact_for_a_parabola():
    v = 3 - 0.5 * (torch.arange(12.) - 4.3)**2
    out = v @ quadratic_resampling_matrix(12, 30)
    q = torch.arange(30.) * 12 / 30
    assert torch.allclose(out, 3 - 0.5 * (q - 4.3)**2, atol=1e-4)
    # shifted and scaled positions (a padded mentor file's input)
    out = v @ quadratic_resampling_matrix(12, 5, start=1.5, step=2.0)
    q = 1.5 + 2.0 * torch.arange(5.)
    assert torch.allclose(out, 3 - 0.5 * (q - 4.3)**2, atol=1e-4)
    with pytest.raises(ValueError, match='at least 3'):
        quadratic_resampling_matrix(2, 4)


def test_continuous_peak_finds_the_vertex_between_cells():
    v = log_gaussian(20, 7.3, 2.0) + 1.5
    assert torch.isclose(continuous_peak(v), torch.tensor(1.5), atol=1e-5)
    # at the border: the largest value
    v = torch.tensor([3.0, 2.0, 1.0])
    assert float(continuous_peak(v)) == 3.0


def test_simcc_logits_read_back_as_the_label_of_either_convention():
    g = log_gaussian(40, 17.4, 3.0)
    # label_softmax (RTMPose, label_beta 10, beta 10): logits = g + c
    logits = g.exp() + 5.0
    back = simcc_log_labels(logits[None], 10., True, 10.)[0]
    # the peak of a linear label is found by a parabola: close, not exact
    assert torch.allclose(back[10:25], g[10:25], atol=2e-2)
    # normalised labels (beta 1): logits = log g + c
    back = simcc_log_labels((g - 2.0)[None], 1., False, 1.)[0]
    assert torch.allclose(back, g, atol=1e-4)


def test_heatmap_amplitude_is_kept_apart():
    h = 0.6 * (log_gaussian(16, 5.5, 2.0)[:, None] +
               log_gaussian(12, 3.2, 2.0)[None]).exp()
    shape, amplitude = heatmap_log_labels(h[None, None])
    assert torch.isclose(amplitude.exp(), torch.tensor(0.6), atol=1e-4)
    assert torch.allclose(shape + amplitude[..., None, None],
                          h.clamp_min(1e-30).log()[None, None], atol=1e-5)


@pytest.mark.parametrize('target', [1.0, 2.0, 4.5])
def test_match_width_gives_the_codec_label_of_the_other_sigma(target):
    g = log_gaussian(60, 2.5, 2.0)  # near the border on purpose
    out = match_width(g[None], 2.0, target)[0]
    expected = log_gaussian(60, 2.5, target)
    near = expected > -20
    assert torch.allclose(out[near].exp(), expected[near].exp(), atol=2e-3)
    assert match_width(g, None, 3.0) is g


def test_crop_placement():
    # MoveNet: a 48x64 crop padded into 192x192 is resized x3 to 144x192
    assert crop_placement((48, 64), (192, 192), 'padded') == ((24.0, 0.0),
                                                              (3.0, 3.0))
    assert crop_placement((48, 64), (192, 192), 'stretched') == ((0., 0.),
                                                                 (4., 3.))
    with pytest.raises(ValueError, match='fit must be one of'):
        crop_placement((48, 64), (192, 192), 'cropped')


def test_scores_weight_the_target():
    x = torch.randn(2, 3, 10)
    scores = torch.tensor([[1.0, 0.0, 0.5], [1.0, 1.0, 1.0]])
    (out, ) = score_weighted_simcc((x, ), scores, beta=2.0)
    p = torch.softmax(2 * out, -1)
    mentor = torch.softmax(2 * x, -1)
    assert torch.allclose(p[:, 0], mentor[:, 0], atol=1e-6)
    assert torch.allclose(p[0, 1], torch.full((10, ), 0.1), atol=1e-6)
    assert torch.allclose(p[0, 2], 0.5 * mentor[0, 2] + 0.05, atol=1e-6)
    assert torch.isfinite(out).all()
    h = torch.rand(2, 3, 4, 4)
    assert torch.allclose(score_weighted_heatmaps(h, scores)[0, 2],
                          0.5 * h[0, 2])
    assert math.isclose(float(score_weighted_heatmaps(h, scores)[0, 1].sum()),
                        0.0)
