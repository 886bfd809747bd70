import torch

from classroomkd_mm.models.bridges.heatmap_resampling import \
    resample_heatmaps


def peak(heatmap):
    index = int(heatmap.flatten().argmax())
    return index % heatmap.shape[-1], index // heatmap.shape[-1]


def one_hot(width, height, x, y):
    h = torch.zeros(1, 1, height, width)
    h[0, 0, y, x] = 1.0
    return h


def test_384x288_mentor_peak_lands_where_the_student_grid_puts_it():
    # Mentor 288x384 input, 72x96 heatmap (stride 4); student 192x256, 48x64.
    # Mentor pixel (36, 48) is input pixel (144, 192) of the 288x384 crop,
    # i.e. (96, 128) of the student's crop, i.e. student pixel (24, 32).
    out = resample_heatmaps(one_hot(72, 96, 36, 48), (48, 64))
    assert out.shape == (1, 1, 64, 48)
    assert peak(out[0, 0]) == (24, 32)
    assert out[0, 0, 32, 24] == 1.0


def test_downsampling_interpolates_between_pixels():
    # Student pixel x'=1 reads mentor x = 1.5: half of pixels 1 and 2.
    h = one_hot(6, 4, 1, 0)
    out = resample_heatmaps(h, (4, 4))
    assert torch.allclose(out[0, 0, 0], torch.tensor([0., 0.5, 0., 0.]))


def test_upsampling_keeps_the_peak_at_the_stride_scaled_position():
    # 24x32 -> 48x64: mentor pixel (5, 7) -> student pixel (10, 14), and the
    # half-way pixels read the average of their neighbours.
    out = resample_heatmaps(one_hot(24, 32, 5, 7), (48, 64))
    assert peak(out[0, 0]) == (10, 14)
    assert torch.isclose(out[0, 0, 14, 11], torch.tensor(0.5))
    assert torch.isclose(out[0, 0, 15, 10], torch.tensor(0.5))


def test_same_size_is_identity_and_gradients_flow():
    h = torch.rand(2, 3, 8, 6, requires_grad=True)
    assert resample_heatmaps(h, (6, 8)) is h
    resample_heatmaps(h, (3, 4)).sum().backward()
    assert h.grad is not None
