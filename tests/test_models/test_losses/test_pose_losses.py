"""Heatmap and SimCC errors, divergences and losses against hand-computed
values and mmpose's own losses."""
import math

import pytest
import torch

from classroomkd_mm.models.adapters import (HeatmapAdapter, HeatmapTargets,
                                            SimCCAdapter, SimCCTargets,
                                            heatmap_error)
from classroomkd_mm.models.losses import (HeatmapKLDivergence,
                                          HeatmapMSEDivergence,
                                          SimCCKLDivergence,
                                          heatmap_kl_divergence,
                                          simcc_kl_divergence)
from classroomkd_mm.models.policies import ClassroomEvidence, KnowledgeFilter

pytestmark = pytest.mark.usefixtures('mmpose_scope')


def test_heatmap_error_by_hand():
    pred = torch.zeros(1, 2, 1, 2)
    gt = torch.tensor([[[[1., 0.]], [[0., 2.]]]])  # mse: 0.5, 2.0
    w = torch.tensor([[1., 0.5]])
    # visible: (1 * 0.5 + 0.5 * 2.0) / 2 ; all: same / K
    assert heatmap_error(pred, gt, w).item() == pytest.approx(0.75)
    assert heatmap_error(pred, gt, w, 'all').item() == pytest.approx(0.75)
    w = torch.tensor([[1., 0.]])
    assert heatmap_error(pred, gt, w).item() == pytest.approx(0.5)
    assert heatmap_error(pred, gt, w, 'all').item() == pytest.approx(0.25)


def test_heatmap_error_batch_mean_is_keypoint_mse_loss():
    from mmpose.models.losses import KeypointMSELoss
    torch.manual_seed(0)
    pred, gt = torch.rand(5, 17, 16, 12), torch.rand(5, 17, 16, 12)
    w = torch.rand(5, 17) * (torch.rand(5, 17) > 0.3)
    w[:, 0] = 1.0
    loss = KeypointMSELoss(use_target_weight=True)(pred, gt, w)
    assert heatmap_error(pred, gt, w, 'all').mean().item() == \
        pytest.approx(loss.item(), rel=1e-6)
    # 'visible' equals it when every keypoint is visible
    ones = torch.ones(5, 17)
    assert heatmap_error(pred, gt, ones).mean().item() == pytest.approx(
        KeypointMSELoss(use_target_weight=True)(pred, gt, ones).item(),
        rel=1e-6)


def test_heatmap_kl_divergence_by_hand():
    student = torch.tensor([[[[0., 0.]], [[1., 0.]]]])
    mentor = torch.tensor([[[[math.log(3.), 0.]], [[0., 0.]]]])
    w = torch.tensor([[1., 1.]])
    t = torch.tensor([1.])
    # keypoint 0: p = (3/4, 1/4), q = (1/2, 1/2)
    kl0 = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    # keypoint 1: p = (1/2, 1/2), q = softmax(1, 0)
    q = torch.softmax(torch.tensor([1., 0.]), 0)
    kl1 = (0.5 * torch.log(0.5 / q)).sum().item()
    got = heatmap_kl_divergence(student, mentor, t, w)
    assert got.item() == pytest.approx((kl0 + kl1) / 2, rel=1e-5)
    # at T = 2 the logits halve
    got2 = heatmap_kl_divergence(student * 0.5, mentor * 0.5,
                                 torch.tensor([1.]), w)
    assert heatmap_kl_divergence(student, mentor, torch.tensor([2.]),
                                 w).item() == pytest.approx(got2.item())
    # an invisible keypoint does not count, no visible keypoint gives 0
    assert heatmap_kl_divergence(student, mentor, t, torch.tensor(
        [[1., 0.]])).item() == pytest.approx(kl0, rel=1e-5)
    assert heatmap_kl_divergence(student, mentor, t,
                                 torch.zeros(1, 2)).item() == 0.0


def test_heatmap_divergence_callables_and_shape_error():
    student = torch.rand(2, 3, 4, 4, requires_grad=True)
    mentor = torch.rand(2, 3, 4, 4)
    targets = HeatmapTargets(torch.rand(2, 3, 4, 4),
                             torch.tensor([[1., 1., 0.], [0., 0., 0.]]))
    t = torch.tensor([2., 1.])
    mse = HeatmapMSEDivergence()(student, mentor, t, targets)
    expected = ((student - mentor)**2).flatten(2).mean(-1)[0, :2].mean()
    assert mse[0].item() == pytest.approx(expected.item())
    assert mse[1].item() == 0.0
    kl = HeatmapKLDivergence()(student, mentor, t, targets)
    kl.sum().backward()
    assert torch.isfinite(student.grad).all()
    with pytest.raises(ValueError, match='heatmap resolution'):
        HeatmapKLDivergence()(student, torch.rand(2, 3, 8, 8), t, targets)


def test_simcc_kl_divergence_by_hand():
    sx, sy = torch.zeros(1, 1, 2), torch.zeros(1, 1, 3)
    mx = torch.tensor([[[math.log(3.), 0.]]])
    my = torch.zeros(1, 1, 3)
    w = torch.ones(1, 1)
    kl_x = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    got = simcc_kl_divergence((sx, sy), (mx, my), torch.tensor([1.]), w)
    assert got.item() == pytest.approx(kl_x, rel=1e-5)
    # logit scale s and temperature T enter as s / T
    got = simcc_kl_divergence((sx, sy), (mx, my), torch.tensor([4.]), w,
                              logit_scale=4.0)
    assert got.item() == pytest.approx(kl_x, rel=1e-5)
    targets = SimCCTargets(None, None, torch.zeros(1, 1))
    assert SimCCKLDivergence()((sx, sy), (mx, my), torch.tensor([1.]),
                               targets).item() == 0.0
    with pytest.raises(ValueError, match='simcc_split_ratio'):
        SimCCKLDivergence()((sx, sy), (torch.zeros(1, 1, 4), my),
                            torch.tensor([1.]), targets)


def test_no_visible_keypoint_activates_no_mentor():
    torch.manual_seed(0)
    gt = torch.rand(3, 17, 16, 12)
    w = torch.ones(3, 17)
    w[1] = 0  # sample 1: no visible keypoint
    targets = HeatmapTargets(gt, w)
    adapter = HeatmapAdapter()
    student = torch.rand(3, 17, 16, 12, requires_grad=True)
    mentors = [gt + 0.01 * torch.rand_like(gt), torch.rand_like(gt)]
    student_eval = adapter.evaluate_outputs(student, (), targets)
    evidence = ClassroomEvidence(
        student_eval,
        tuple(adapter.evaluate_outputs(m, (), targets) for m in mentors),
        targets, adapter.score_scale(student_eval.errors), adapter)
    e_s = evidence.student_errors
    assert torch.isnan(e_s[1]) and torch.isfinite(e_s[[0, 2]]).all()
    plan = KnowledgeFilter()(evidence)
    assert not plan.active[:, 1].any()
    assert plan.active[0, 0] and plan.active[0, 2]
    assert torch.isfinite(plan.weights).all()
    assert torch.isfinite(plan.student_confidence).all()

    from classroomkd_mm.models.losses import MentoringLoss
    loss = MentoringLoss(
        divergence=dict(type='classroomkd_mm.HeatmapKLDivergence'))(
        evidence, plan)['loss_mentoring']
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(student.grad).all()


def test_student_losses_equal_head_loss_and_weighting(tmp_path):
    from tests.helpers.pose_models import heatmap_model, simcc_model
    from mmpose.registry import MODELS
    from mmpose.structures import PoseDataSample
    from mmengine.structures import InstanceData, PixelData
    torch.manual_seed(0)
    x = torch.randn(3, 3, 128, 96)
    samples = []
    for i in range(3):
        d = PoseDataSample()
        d.gt_fields = PixelData(heatmaps=torch.rand(17, 32, 24))
        w = (torch.rand(1, 17) > 0.3).float()
        d.gt_instance_labels = InstanceData(
            keypoint_weights=w,
            keypoint_x_labels=torch.softmax(torch.randn(1, 17, 192), -1),
            keypoint_y_labels=torch.softmax(torch.randn(1, 17, 256), -1))
        samples.append(d)
    p = torch.tensor([1.0, 0.5, 0.25])
    for cfg, adapter in ((heatmap_model(), HeatmapAdapter()),
                         (simcc_model(), SimCCAdapter())):
        model = MODELS.build(cfg)
        adapter.bind(model)
        out, _ = adapter.forward(model, x)
        targets = adapter.targets(samples, x.device)
        ref = model.head.loss(model.extract_feat(x), samples,
                              model.train_cfg or {})
        ours = adapter.student_losses(model, out, targets, samples)
        assert ours.keys() == ref.keys()
        for k in ref:
            assert ours[k].item() == pytest.approx(ref[k].item(), rel=1e-6)
        # per-sample weights: c * sum_i p(i) L(i), from one call per sample
        per_sample = [
            model.head.loss_module(
                tuple(o[i:i + 1] for o in out) if isinstance(out, tuple)
                else out[i:i + 1],
                *_gts(adapter, samples[i:i + 1]))
            for i in range(3)
        ]
        scale = ref['loss_kpt'].item() / sum(v.item() for v in per_sample)
        expected = scale * sum(
            pi.item() * v.item() for pi, v in zip(p, per_sample))
        weighted = adapter.student_losses(model, out, targets, samples,
                                          p)['loss_kpt']
        assert weighted.item() == pytest.approx(expected, rel=1e-5)
        # the per-sample error of a SimCC head is its own loss per sample
        if isinstance(adapter, SimCCAdapter):
            errors = adapter.per_sample_error(out, targets)
            assert [e.item() for e in errors] == pytest.approx(
                [v.item() for v in per_sample], rel=1e-5)


def _gts(adapter, samples):
    t = adapter.targets(samples, 'cpu')
    if isinstance(t, HeatmapTargets):
        return t.heatmaps, t.keypoint_weights
    return (t.x_labels, t.y_labels), t.keypoint_weights


def test_prediction_entropy_for_ebkd():
    flat = torch.zeros(2, 3, 4, 4)
    assert HeatmapAdapter().prediction_entropy(flat) == pytest.approx(
        [math.log(16)] * 2)
    adapter = SimCCAdapter()
    assert adapter.prediction_entropy(
        (torch.zeros(2, 3, 8), torch.zeros(2, 3, 4))) == pytest.approx(
            [math.log(8) + math.log(4)] * 2)
