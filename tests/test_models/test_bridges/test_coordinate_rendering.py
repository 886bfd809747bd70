import torch

from classroomkd_mm.models.bridges.coordinate_rendering import \
    coordinate_log_labels
from classroomkd_mm.models.bridges.student_targets import \
    log_labels_as_heatmaps


def gaussian(length, mu, sigma):
    x = torch.arange(length, dtype=torch.float32)
    return torch.exp(-(x - mu)**2 / (2 * sigma**2))


def test_coordinates_render_as_the_msra_gaussian():
    # (0.25, 0.5) of a 48x64 heatmap is pixel (12, 32).
    coords = torch.tensor([[[0.25, 0.5]]])
    h = log_labels_as_heatmaps(
        *coordinate_log_labels(coords, None, (48, 64), (2.0, 2.0)))
    expected = gaussian(64, 32, 2.0)[:, None] * gaussian(48, 12, 2.0)[None]
    assert torch.allclose(h[0, 0], expected, atol=1e-6)


def test_predicted_sigma_widens_and_lowers_the_gaussian_in_closed_form():
    # spread 1.5 px on x (1.5 / 48 normalised): variance 4 + 2.25, amplitude
    # 2 / 2.5.
    coords = torch.tensor([[[0.25, 0.5]]])
    sigmas = torch.tensor([[[1.5 / 48, 0.0]]])
    h = log_labels_as_heatmaps(
        *coordinate_log_labels(coords, sigmas, (48, 64), (2.0, 2.0)))
    h_x = 0.8 * gaussian(48, 12, 2.5)
    assert torch.allclose(h[0, 0, 32], h_x, atol=1e-6)
    # a Monte-Carlo expectation of the codec Gaussian agrees
    k = 12 + 1.5 * torch.randn(200000,
                               generator=torch.Generator().manual_seed(0))
    mc = torch.exp(-(torch.arange(48.)[None] - k[:, None])**2 / 8).mean(0)
    assert torch.allclose(h_x, mc, atol=5e-3)


def test_coordinates_render_as_simcc_log_labels():
    coords = torch.tensor([[[0.5, 0.25]]])
    x, y, amplitude = coordinate_log_labels(coords, None, (384, 512),
                                            (4.9, 5.66))
    assert torch.allclose(x[0, 0].exp(), gaussian(384, 192, 4.9), atol=1e-6)
    assert torch.allclose(y[0, 0].exp(), gaussian(512, 128, 5.66), atol=1e-6)
    assert float(amplitude) == 0.0
