"""Feature-level distillation: connectors, FeatureMSELoss (plan and CA-MKD
weighting) and a distiller that trains them from config."""
import math

import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from classroomkd_mm.models import (ClassifierAdapter, ClassroomEvidence,
                                   ConvConnector, FeatureMSELoss, MentorPlan,
                                   NetworkEvaluation)
from classroomkd_mm.models.losses import match_spatial_size
from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.student_weights import student_state_dict
from tests.helpers.tiny_classifiers import feature_cfg
from tests.helpers.tiny_runs import batch
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def evaluation(feature, errors=None):
    n = feature.shape[0]
    errors = torch.zeros(n) if errors is None else errors
    return NetworkEvaluation(None, (feature, ), errors,
                             torch.ones(n, dtype=torch.bool))


def test_connector_shapes_and_errors():
    connector = ConvConnector(4, 8)
    assert connector(torch.randn(2, 4, 5, 3)).shape == (2, 8, 5, 3)
    assert connector(torch.randn(2, 4)).shape == (2, 8)
    assert ConvConnector(4, 6, kernel_size=3, norm_cfg=dict(type='BN'),
                         act_cfg=dict(type='ReLU'))(
        torch.randn(2, 4, 5, 3)).shape == (2, 6, 5, 3)
    with pytest.raises(ValueError, match='in_channels'):
        connector(torch.randn(2, 3, 5, 5))
    for bad in (dict(in_channels=0, out_channels=2),
                dict(in_channels=2, out_channels=2, kernel_size=2)):
        with pytest.raises(ValueError):
            ConvConnector(**bad)


def test_match_spatial_size():
    x = torch.arange(16.).view(1, 1, 4, 4)
    pooled = match_spatial_size(x, (2, 2))
    assert pooled.flatten().tolist() == [2.5, 4.5, 10.5, 12.5]
    assert match_spatial_size(x, (8, 6)).shape == (1, 1, 8, 6)
    assert match_spatial_size(x, (4, 4)) is x


def test_plan_weighted_golden():
    student = torch.tensor([[0., 0.], [1., 1.]], requires_grad=True)
    m1 = torch.tensor([[1., 1.], [1., 3.]])
    m2 = torch.tensor([[2., 0.], [float('nan'), 1.]])   # broken on sample 1
    evidence = ClassroomEvidence(evaluation(student),
                                 (evaluation(m1), evaluation(m2)))
    plan = MentorPlan(torch.tensor([[True, True], [True, False]]),
                      torch.tensor([[0.5, 1.0], [0.5, 0.0]]), None,
                      torch.ones(2))
    loss = FeatureMSELoss(loss_weight=2.0)(
        evidence, plan, nn.ModuleDict(),
        Heads(dict(a=nn.Identity(), b=nn.Identity())))
    # mse: m1 (1, 2), m2 (2, -); sample 0: 0.5 * 1 + 0.5 * 2 = 1.5,
    # sample 1: 1 * 2 = 2; 2 * mean(1.5, 2) = 3.5
    assert loss.item() == pytest.approx(3.5)
    loss.backward()
    assert torch.isfinite(student.grad).all()


class Heads:
    """What FeatureMSELoss reads of a classroom: the mentors' names and
    their heads' outputs (here, the stand-in mentors' ``head``)."""

    def __init__(self, mentors):
        self.mentors = mentors
        self.names = tuple(mentors)

    def head_outputs(self, name, features):
        return self.mentors[name].head(features)


class LogitsAreTheFeature(nn.Module):
    """A stand-in mentor whose head's logits are its input feature."""

    class Head(nn.Module):

        def forward(self, feats):
            return feats[-1]

    def __init__(self):
        super().__init__()
        self.head = self.Head()


class Double(nn.Module):

    def forward(self, x):
        return 2 * x


def test_camkd_weighting_golden():
    # connected student features: m1 identity, m2 doubles; label 0 for both
    # samples. Errors of the mentors' heads on them (cross-entropy):
    #   sample 0: logits (1, 0) -> ln(1 + e^-1) = 0.31326,
    #             logits (2, 0) -> ln(1 + e^-2) = 0.12693
    #   sample 1: logits (0, 1) -> ln(1 + e) = 1.31326,
    #             logits (0, 2) -> ln(1 + e^2) = 2.12693
    # w = 1 - softmax(e) over the two mentors:
    #   sample 0: 1 - e^0.31326 / (e^0.31326 + e^0.12693) = 0.45355
    #   sample 1: 1 - e^1.31326 / (e^1.31326 + e^2.12693) = 0.69292
    # mse to m1's feature (1, 1), (0, 0): 0.5 and 0.5; m2's feature equals
    # the doubled student feature: 0. Loss: mean(0.45355, 0.69292) * 0.5.
    student = torch.tensor([[1., 0.], [0., 1.]])
    m1 = torch.tensor([[1., 1.], [0., 0.]])
    m2 = torch.tensor([[2., 0.], [0., 2.]])
    evidence = ClassroomEvidence(
        evaluation(student), (evaluation(m1), evaluation(m2)),
        targets=torch.tensor([0, 0]), score_scale=1.0,
        adapter=ClassifierAdapter())
    plan = MentorPlan(torch.ones(2, 2, dtype=torch.bool), torch.ones(2, 2),
                      None, torch.ones(2))
    mentors = Heads(dict(m1=LogitsAreTheFeature(), m2=LogitsAreTheFeature()))
    loss = FeatureMSELoss(weighting='camkd')(
        evidence, plan, nn.ModuleDict(dict(m2=Double())), mentors)
    share = math.exp(0.31326) / (math.exp(0.31326) + math.exp(0.12693))
    w0 = 1 - share
    share = math.exp(1.31326) / (math.exp(1.31326) + math.exp(2.12693))
    w1 = 1 - share
    assert loss.item() == pytest.approx(0.5 * (w0 + w1) / 2, abs=1e-4)
    assert loss.item() == pytest.approx(0.28662, abs=1e-4)


def test_distiller_trains_connectors_with_the_student(tmp_path):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(feature_cfg(tmp_path))
    assert set(model.connectors) == {'m0', 'm1'}
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    feature = losses['distill.loss_feature']
    assert torch.isfinite(feature) and feature > 0
    feature.backward()
    for connector in model.connectors.values():
        assert connector.conv.conv.weight.grad.abs().sum() > 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.student.backbone.parameters())
    assert all(p.grad is None for p in mentors_of(model).parameters())

    # the optimizer built from the distiller's parameters trains them; the
    # student-only checkpoint leaves them out
    model.zero_grad()
    before = model.connectors['m0'].conv.conv.weight.detach().clone()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train_step(batch(), optim)
    assert not torch.equal(before, model.connectors['m0'].conv.conv.weight)
    keys = list(model.state_dict())
    assert any(k.startswith('connectors.m0.') for k in keys)
    assert not any('connectors' in k
                   for k in student_state_dict(model.state_dict()))


def test_plan_weighted_feature_term_from_config(tmp_path):
    init_default_scope('mmpretrain')
    cfg = feature_cfg(tmp_path)
    cfg['policy'] = dict(type='SingleMentorKD', mentor_index=0)
    cfg['feature_loss'] = dict(type='FeatureMSELoss')
    model = MODELS.build(cfg)
    losses = model(**model.data_preprocessor(batch(), training=True),
                   mode='loss')
    assert torch.isfinite(losses['distill.loss_feature'])


def test_feature_term_errors_name_the_fix(tmp_path):
    init_default_scope('mmpretrain')
    cfg = feature_cfg(tmp_path)
    cfg['connectors']['m7'] = cfg['connectors'].pop('m1')
    with pytest.raises(ValueError, match=r"connectors for \['m7'\]"):
        MODELS.build(cfg)
    cfg = feature_cfg(tmp_path)
    cfg.pop('feature_loss')
    with pytest.raises(ValueError, match='no feature_loss uses them'):
        MODELS.build(cfg)
    cfg = feature_cfg(tmp_path)
    cfg['connectors'].pop('m1')
    model = MODELS.build(cfg)
    with pytest.raises(ValueError, match=r"connectors=dict\(m1=dict\("
                       r"type='ConvConnector', in_channels=4, "
                       r"out_channels=6\)\)"):
        model(**model.data_preprocessor(batch(), training=True), mode='loss')
    with pytest.raises(ValueError, match='weighting'):
        FeatureMSELoss(weighting='entropy')
