"""A trainable map from the student's feature space to a mentor's."""
from typing import Optional

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from classroomkd_mm.registry import MODELS


@MODELS.register_module()
class ConvConnector(BaseModule):
    """``c(f) = act(norm(W * f + b))``: a ``kernel_size`` convolution (1x1 by
    default) from the student's ``in_channels`` to a mentor's
    ``out_channels``, optionally followed by a norm and an activation
    (mmcv's ``ConvModule``). A ``(N, C)`` feature (after global pooling) is
    treated as ``(N, C, 1, 1)`` and returned as ``(N, out_channels)``.

    It trains with the student (it is a submodule of the distiller) and is
    not part of the student's checkpoint.

    Args:
        in_channels (int): the student feature's channels.
        out_channels (int): the mentor feature's channels.
        kernel_size (int): convolution kernel size (odd; padded to keep the
            spatial size).
        norm_cfg (dict, optional): e.g. ``dict(type='BN')``.
        act_cfg (dict, optional): e.g. ``dict(type='ReLU')``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        for name, value in (('in_channels', in_channels),
                            ('out_channels', out_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < 1:
                raise ValueError(f'ConvConnector: {name} must be an int >= '
                                 f'1, got {value!r}.')
        if not isinstance(kernel_size, int) or kernel_size % 2 != 1:
            raise ValueError('ConvConnector: kernel_size must be an odd int, '
                             f'got {kernel_size!r}.')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.conv = ConvModule(
            in_channels, out_channels, kernel_size,
            padding=kernel_size // 2, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, feature: Tensor) -> Tensor:
        if feature.ndim < 2 or feature.shape[1] != self.in_channels:
            raise ValueError(
                f'ConvConnector: expected a student feature with '
                f'{self.in_channels} channels (dim 1), got shape '
                f'{tuple(feature.shape)}; set in_channels to the student '
                "feature's channels.")
        if feature.ndim == 2:
            return self.conv(feature[:, :, None, None]).flatten(1)
        return self.conv(feature)
