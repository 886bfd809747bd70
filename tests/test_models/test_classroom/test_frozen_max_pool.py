"""ChannelsLastMaxPool2d: the frozen mentors' max pool, bit-identical to
nn.MaxPool2d, and swapped into every mentor the distiller builds."""
import pytest
import torch
import torch.nn as nn
from tests.helpers.pose_models import heatmap_model
from tests.helpers.pose_models import distiller

from classroomkd_mm.models.classroom.frozen_max_pool import (
    ChannelsLastMaxPool2d, use_channels_last_max_pool)

pytestmark = pytest.mark.usefixtures('mmpose_scope')


@pytest.mark.parametrize('settings', [
    dict(kernel_size=3, stride=2, padding=1),          # the ResNet stem
    dict(kernel_size=2, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=1, padding=1, dilation=2),
])
def test_output_is_bit_identical_to_max_pool(settings):
    torch.manual_seed(0)
    # ReLU zeros make ties, as after a real stem
    x = torch.relu(torch.randn(4, 8, 17, 13))
    plain = nn.MaxPool2d(**settings)
    fast = ChannelsLastMaxPool2d(**settings)
    with torch.no_grad():
        expected, out = plain(x), fast(x)
    assert torch.equal(out, expected)
    assert out.is_contiguous()     # the layout later layers saw before


def test_channels_last_input_keeps_its_layout():
    x = torch.randn(2, 4, 8, 8).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        out = ChannelsLastMaxPool2d(2)(x)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(out, nn.MaxPool2d(2)(x))


def test_gradients_take_the_plain_path():
    x = torch.randn(2, 3, 8, 8, requires_grad=True)
    ChannelsLastMaxPool2d(2)(x).sum().backward()
    y = x.detach().clone().requires_grad_(True)
    nn.MaxPool2d(2)(y).sum().backward()
    assert torch.equal(x.grad, y.grad)


def test_swap_replaces_plain_max_pools_only():
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.MaxPool2d(2),
        nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True)),
        nn.MaxPool2d(2, return_indices=True), nn.AvgPool2d(2))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    assert use_channels_last_max_pool(model) == 2
    assert isinstance(model[1], ChannelsLastMaxPool2d)
    assert isinstance(model[2][0], ChannelsLastMaxPool2d)
    assert model[2][0].ceil_mode and model[2][0].padding == 1
    assert type(model[3]) is nn.MaxPool2d          # indices: left alone
    assert model.state_dict().keys() == state.keys()


def test_distiller_mentors_use_it_and_give_the_same_heatmaps(tmp_path):
    from mmpose.registry import MODELS
    mentor_cfg = heatmap_model(base_channels=16)
    model = distiller(heatmap_model(base_channels=8),
                      dict(a=mentor_cfg), tmp_path)
    mentor = model.classroom.mentor('a')
    pools = [m for m in mentor.modules() if isinstance(m, nn.MaxPool2d)]
    assert pools and all(
        isinstance(m, ChannelsLastMaxPool2d) for m in pools)
    # the student trains with autograd: its pools stay nn.MaxPool2d
    assert not any(isinstance(m, ChannelsLastMaxPool2d)
                   for m in model.student.modules())
    torch.manual_seed(0)      # the weights distiller() saved for mentor 'a'
    plain = MODELS.build(mentor_cfg).eval()
    x = torch.randn(2, 3, 128, 96)
    with torch.no_grad():
        assert torch.equal(mentor.head(mentor.extract_feat(x)),
                           plain.head(plain.extract_feat(x)))
