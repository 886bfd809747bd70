"""benchmarks/speed/mentor_programs.py: a distiller whose mentors run
through engine programs gives the eager distiller's losses, holds no
mentor module in its memory account, and goes back to eager."""
import pytest
import torch
from mmpretrain.structures import DataSample

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import NUM_CLASSES, distiller_cfg

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def test_engine_programs_in_the_distiller(tmp_path):
    pytest.importorskip('onnxruntime')
    from benchmarks.speed.mentor_programs import held_tensors, use_programs
    model = MODELS.build(distiller_cfg(tmp_path)).train()
    g = torch.Generator().manual_seed(0)
    batch = dict(
        inputs=list(torch.randint(0, 256, (6, 3, 16, 16), generator=g)
                    .float()),
        data_samples=[DataSample().set_gt_label(i % NUM_CLASSES)
                      for i in range(6)])
    data = model.data_preprocessor(batch, True)
    with torch.no_grad():
        torch.manual_seed(0)
        eager = model(**data, mode='loss')
        programs = use_programs(model, dict(engine='onnxruntime',
                                            cache_dir=str(tmp_path / 'c')))
        assert held_tensors(model)  # not built yet: modules count
        torch.manual_seed(0)
        engine = model(**data, mode='loss')
        assert held_tensors(model) == []
        assert {p.kind for p in programs.values()} == {'onnxruntime'}
        assert use_programs(model, dict(engine='eager')) == {}
        torch.manual_seed(0)
        again = model(**data, mode='loss')
    for key in eager:
        assert torch.allclose(eager[key], engine[key], rtol=1e-4,
                              atol=1e-6), key
        assert torch.equal(eager[key], again[key]), key
