"""Tiny real mentor modules, built, for the mentor program tests: an
mmpretrain classifier, mmpose heatmap and SimCC estimators, the adapters'
``(outputs, features)`` forward, and a mentor whose forward branches on a
statistic of its batch."""
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope

from .pose_models import heatmap_model, simcc_model


def adapter_forward(model, inputs):
    """The adapters' ``(outputs, features)`` of a built model."""
    features = model.extract_feat(inputs)
    return model.head.forward(features), features


def _pose(cfg):
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    init_default_scope('mmpose')
    torch.manual_seed(0)
    return MODELS.build(cfg).eval().requires_grad_(False)


def heatmap():
    """A SimpleBaseline-style heatmap estimator (ResNet-18, 8 channels)."""
    return _pose(heatmap_model(base_channels=8))


def simcc():
    """An RTMCC (SimCC) head on a ResNet-18."""
    return _pose(simcc_model())


def classifier():
    """An mmpretrain ResNet-18 classifier, 8 base channels, 5 classes."""
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='ImageClassifier', _scope_='mmpretrain',
        backbone=dict(type='ResNet', depth=18, base_channels=8,
                      stem_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=5, in_channels=64,
                  loss=dict(type='CrossEntropyLoss')))).eval() \
        .requires_grad_(False)


#: (builder, input shape) of each tiny real mentor
MENTORS = dict(classifier=(classifier, (4, 3, 32, 32)),
               heatmap=(heatmap, (4, 3, 128, 96)),
               simcc=(simcc, (4, 3, 128, 96)))


class BranchingMentor(nn.Module):
    """A mentor whose forward branches on a statistic of the batch
    (``if inputs.abs().mean() > threshold``): an export traced on one batch
    keeps one branch. Returns ``(outputs, (features, ))``."""

    def __init__(self, threshold: float = 0.5):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3)
        self.threshold = threshold

    def forward(self, inputs):
        features = self.conv(inputs)
        if inputs.abs().mean() > self.threshold:
            return features.mean((2, 3)), (features, )
        return -3 * features.mean((2, 3)), (features, )


def module_forward(model, inputs):
    """The forward of a module that returns ``(outputs, features)``."""
    return model(inputs)
