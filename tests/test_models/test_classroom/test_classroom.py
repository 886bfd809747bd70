"""The Classroom: built from configs or from built modules (the same
classroom), outside the distiller's state (state_dict, parameters,
optimizer, deep copies), its one evaluate path, CA-MKD's head pass through
the bridge (a SimCC mentor and a mentor of another input size), and a
mentor's module freed once its program holds all it runs."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from classroomkd_mm.models import ClassroomDistiller
from classroomkd_mm.models.classroom import Classroom
from classroomkd_mm.registry import MODELS
from tests.helpers import pose_models
from tests.helpers.tiny_classifiers import distiller_cfg
from tests.helpers.tiny_runs import batch


def _losses(model, data, seed=0):
    torch.manual_seed(seed)
    return model(**model.data_preprocessor(copy.deepcopy(data), True),
                 mode='loss')


def test_built_modules_give_the_configured_classroom(mmpretrain_scope,
                                                     tmp_path):
    configured = MODELS.build(distiller_cfg(tmp_path))
    modules = configured.classroom.mentors()
    cfg = distiller_cfg(tmp_path)
    cfg['mentors'] = dict(m0=modules['m0'],
                          m1=dict(module=modules['m1']))
    given = MODELS.build(cfg)
    given.student.load_state_dict(configured.student.state_dict())
    assert given.classroom.mentor('m0') is modules['m0']
    a, b = _losses(configured, batch()), _losses(given, batch())
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # the same weights, the same record (a built module: its weights' hash)
    assert configured.classroom.checksums()['m0']['checkpoint'].endswith(
        'mentor0.pth')
    assert given.classroom.checksums()['m0']['checkpoint'] is None
    with pytest.raises(ValueError, match=r"Mentor 'm1': a built mentor is "):
        MODELS.build(dict(cfg, mentors=dict(m1=dict(module=1))))


def test_mentors_are_not_model_state(mmpretrain_scope, tmp_path):
    model = MODELS.build(distiller_cfg(tmp_path, mentor_skipping=dict()))
    mentor_params = {id(p) for m in model.classroom.mentors().values()
                     for p in m.parameters()}
    assert mentor_params
    assert not mentor_params & {id(p) for p in model.parameters()}
    ow = build_optim_wrapper(model, dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)))
    optimised = [p for g in ow.optimizer.param_groups for p in g['params']]
    assert len(optimised) == len(list(model.student.parameters()))
    keys = list(model.state_dict())
    assert not [k for k in keys if k.startswith(('mentors.', 'student.'))]
    assert [k for k in keys if k.startswith('classroom.')] == [
        'classroom.skip_cache.errors', 'classroom.skip_cache.visits']
    # a deep copy (EMAHook's averaged model) shares the classroom
    copied = copy.deepcopy(model)
    assert copied.classroom is model.classroom
    assert copied.student is not model.student


def test_classroom_is_a_module_of_its_own(mmpretrain_scope, tmp_path):
    """Built directly (as the distiller builds it): names in order, no
    program before the first batch, its state is the skip cache."""
    model = MODELS.build(distiller_cfg(tmp_path))
    classroom = Classroom(model.classroom.mentors(), model.student,
                          model.adapter, mentor_skipping=dict(margin=0.5))
    assert classroom.names == ('m0', 'm1') and len(classroom) == 2
    assert classroom.program('m0') is None and classroom.bridge('m0') is None
    assert list(classroom.state_dict()) == ['skip_cache.errors',
                                            'skip_cache.visits']
    with pytest.raises(ValueError, match='needs mentors'):
        Classroom({}, model.student, model.adapter,
                  mentor_skipping=dict())
    with pytest.raises(ValueError, match='must not contain "loss"'):
        Classroom(dict(loss_m=model.classroom.mentor('m0')), model.student,
                  model.adapter)


def test_camkd_head_pass_goes_through_the_bridge(mmpose_scope, tmp_path):
    """A heatmap student with a SimCC mentor and a 256x192 heatmap mentor:
    a mentor's head on its own features, through
    :meth:`Classroom.head_outputs`, is exactly its outputs in the
    student's space (the bridge brings both there); the CA-MKD feature
    term trains the connectors."""
    hires = pose_models.heatmap_model(
        base_channels=8, codec=dict(type='MSRAHeatmap',
                                    input_size=(192, 256),
                                    heatmap_size=(48, 64), sigma=2))
    mentors = dict(simcc=pose_models.simcc_model(channels=32), hires=hires)
    model = pose_models.distiller(
        pose_models.heatmap_model(), mentors, tmp_path,
        policy=dict(type='CAMKD'),
        connectors=dict(simcc=dict(type='ConvConnector', in_channels=128,
                                   out_channels=128),
                        hires=dict(type='ConvConnector', in_channels=128,
                                   out_channels=64)),
        feature_loss=dict(type='FeatureMSELoss', weighting='camkd'))
    inputs, samples = pose_models.batch()
    classroom = model.classroom
    with torch.no_grad():
        for name in classroom.names:
            outputs, features = classroom.run(name, inputs)
            again = classroom.head_outputs(name, features)
            for a, b in zip(torch.utils._pytree.tree_leaves(outputs),
                            torch.utils._pytree.tree_leaves(again)):
                assert a.shape == b.shape
                torch.testing.assert_close(a, b, rtol=0, atol=0)
    # in the student's space: its heatmap grid, whatever the mentor's
    assert tuple(outputs.shape[-2:]) == (32, 24)
    model.train()
    losses = model.loss(inputs, samples)
    assert torch.isfinite(losses['distill.loss_feature'])
    losses['distill.loss_feature'].backward()
    assert all(p.grad is not None for p in model.connectors.parameters())


def test_module_freed_once_the_program_holds_all_it_runs(mmpretrain_scope,
                                                         tmp_path):
    pytest.importorskip('onnxruntime')
    for keep in (False, True):
        cfg = distiller_cfg(tmp_path, mentor_runtime=dict(
            engine='onnxruntime', cache_dir=str(tmp_path / 'c')))
        if keep:
            cfg.update(
                policy=dict(type='CAMKD'),
                connectors=dict(m0=dict(type='ConvConnector', in_channels=4,
                                        out_channels=8),
                                m1=dict(type='ConvConnector', in_channels=4,
                                        out_channels=6)),
                feature_loss=dict(type='FeatureMSELoss', weighting='camkd'))
        model = MODELS.build(cfg).train()
        assert model.classroom.mentor('m0') is not None
        first = _losses(model, batch())
        assert model.classroom.program('m0').needs_module is False
        held = model.classroom.mentor('m0')
        if keep:  # the head stays for CA-MKD's feature term
            assert list(dict(held.named_children())) == ['head']
        else:
            assert held is None and model.classroom.mentors() == {}
        second = _losses(model, batch())
        for key in first:
            assert torch.equal(first[key], second[key]), key
