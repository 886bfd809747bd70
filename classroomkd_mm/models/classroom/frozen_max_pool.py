"""A faster max pool for frozen mentors on CPU."""
import torch
import torch.nn as nn


class ChannelsLastMaxPool2d(nn.MaxPool2d):
    """``nn.MaxPool2d`` that pools a 4-D CPU tensor in channels-last memory
    and returns it in the layout it came in.

    Without autograd, PyTorch's CPU max pool over a contiguous (NCHW) tensor
    is many times slower than over the same tensor in channels-last memory:
    3 to 4 ms against 0.3 ms for a ResNet stem of batch 16 at 32x24 with 16
    or 32 channels (one thread), a quarter of a small mentor's forward pass.
    The maximum is exact in either layout, so the output is bit-identical;
    copying it back keeps the layout, and so the numerics, of every later
    layer. CUDA tensors, tensors already in channels-last memory, tensors
    that need gradients and ``return_indices`` take ``nn.MaxPool2d``'s own
    path.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (x.device.type != 'cpu' or x.dim() != 4 or self.return_indices
                or (torch.is_grad_enabled() and x.requires_grad)
                or x.is_contiguous(memory_format=torch.channels_last)):
            return super().forward(x)
        pooled = super().forward(
            x.contiguous(memory_format=torch.channels_last))
        return pooled.contiguous()


def use_channels_last_max_pool(model: nn.Module) -> int:
    """Replace every ``nn.MaxPool2d`` (exactly that class) in ``model`` by a
    :class:`ChannelsLastMaxPool2d` with the same settings; returns how many.
    Meant for frozen models: their state dict is unchanged (pooling has no
    weights)."""
    replaced = 0
    for module in list(model.modules()):
        for name, child in module.named_children():
            if type(child) is nn.MaxPool2d and not child.return_indices:
                setattr(module, name, ChannelsLastMaxPool2d(
                    child.kernel_size, child.stride, child.padding,
                    child.dilation, ceil_mode=child.ceil_mode))
                replaced += 1
    return replaced
