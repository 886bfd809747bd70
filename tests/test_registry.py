"""classroomkd_mm's registries build the host's types in the classroomkd_mm
scope: MMEngine gives every typed dict of a config read by the
``classroomkd_mm::`` prefix ``_scope_='classroomkd_mm'``, and the project's
configs name mmpretrain's and mmpose's types without a prefix."""
import pytest
import torch
from mmengine.registry import DATASETS, MODELS, TRANSFORMS, DefaultScope

from classroomkd_mm.registry import SCOPE, host_scope
from tests.helpers.tiny_classifiers import classifier_cfg


def test_host_types_build_in_the_project_scope():
    pytest.importorskip('mmpretrain')
    import mmpretrain.datasets  # noqa: F401  (registers its modules)
    import mmpretrain.models  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        assert host_scope() == 'mmpretrain'
        cfg = dict(classifier_cfg(4), _scope_=SCOPE)
        model = MODELS.build(cfg)
        assert type(model).__name__ == 'ImageClassifier'
        assert model(torch.zeros(1, 3, 16, 16), mode='tensor').shape[-1] \
            > 0
        transform = TRANSFORMS.build(dict(type='PackInputs', _scope_=SCOPE))
        assert type(transform).__module__.startswith('mmpretrain')
        assert DATASETS.get(f'{SCOPE}.CustomDataset') is not None
        # the project's own modules first
        distiller = MODELS.get(f'{SCOPE}.ClassroomDistiller')
        assert distiller.__module__.startswith('classroomkd_mm')


def test_an_unknown_type_is_still_an_error():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(KeyError, match='NoSuchModel'):
            MODELS.build(dict(type='NoSuchModel', _scope_=SCOPE))
