"""Registries of classroomkd_mm, children of MMEngine's root registries.

Because they are children of MMEngine's roots, ``type='classroomkd_mm.X'``
resolves from an mmpose config (``default_scope='mmpose'``) and from an
mmpretrain config (``default_scope='mmpretrain'``) alike, once this module is
imported (``custom_imports=dict(imports=['classroomkd_mm'])`` or our
``tools/train.py``). The ``locations`` make the registries import the modules
that register into them on first lookup.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry(
    'model',
    parent=MMENGINE_MODELS,
    scope='classroomkd_mm',
    locations=['classroomkd_mm.models'])

HOOKS = Registry(
    'hook',
    parent=MMENGINE_HOOKS,
    scope='classroomkd_mm',
    locations=['classroomkd_mm.hooks'])

TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    scope='classroomkd_mm',
    locations=['classroomkd_mm.datasets'])

DATASETS = Registry(
    'dataset',
    parent=MMENGINE_DATASETS,
    scope='classroomkd_mm',
    locations=['classroomkd_mm.datasets'])
