"""Tiny real mmpretrain classifiers for the classification tests."""
import torch
from mmengine.registry import init_default_scope

from classroomkd_mm.registry import MODELS

NUM_CLASSES = 4
PREPROCESSOR = dict(
    type='ClsDataPreprocessor',
    num_classes=NUM_CLASSES,
    mean=[127.5, 127.5, 127.5],
    std=[60.0, 60.0, 60.0],
    to_rgb=False)


def classifier_cfg(width=4, num_classes=NUM_CLASSES, preprocessor=None):
    """ResNet_CIFAR-18 with one stage of ``width`` channels."""
    return dict(
        type='ImageClassifier',
        _scope_='mmpretrain',
        backbone=dict(
            type='ResNet_CIFAR',
            depth=18,
            num_stages=1,
            strides=(1, ),
            dilations=(1, ),
            out_indices=(0, ),
            stem_channels=width,
            base_channels=width),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=num_classes,
            in_channels=width,
            loss=dict(type='CrossEntropyLoss')),
        data_preprocessor=dict(preprocessor or PREPROCESSOR))


def save_checkpoint(cfg, path, seed=0, **extra):
    """Build ``cfg`` with ``seed`` and save it as an MMEngine-style
    checkpoint; returns the model."""
    init_default_scope('mmpretrain')
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(), **extra),
               path)
    return model


def distiller_cfg(tmp_path, widths=(8, 6), student_width=4, **kwargs):
    """A ClassroomDistiller config whose mentors have saved checkpoints."""
    mentors = {}
    for i, width in enumerate(widths):
        path = str(tmp_path / f'mentor{i}.pth')
        save_checkpoint(classifier_cfg(width), path, seed=100 + i)
        mentors[f'm{i}'] = dict(model=classifier_cfg(width), checkpoint=path)
    cfg = dict(
        type='classroomkd_mm.ClassroomDistiller',
        student=classifier_cfg(student_width),
        mentors=mentors)
    cfg.update(kwargs)
    return cfg


def feature_cfg(tmp_path, **kwargs):
    """CA-MKD with its feature term and connectors (the student's pooled
    feature has 4 channels, the mentors' 8 and 6)."""
    # tiny classifiers: the student's pooled feature has 4 channels, the
    # mentors' 8 and 6
    return distiller_cfg(
        tmp_path, policy=dict(type='CAMKD'),
        connectors=dict(
            m0=dict(type='ConvConnector', in_channels=4, out_channels=8),
            m1=dict(type='ConvConnector', in_channels=4, out_channels=6)),
        feature_loss=dict(type='FeatureMSELoss', weighting='camkd',
                          loss_weight=5.0), **kwargs)
