"""Mentor skipping: the rule and the re-probe draws (golden values at toy
sizes), the per-sample error cache, and the distiller with skipping on."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

from classroomkd_mm.models.classroom.mentor_skipping import (
    check_skipping_policy, full_batch, reprobe_draws, sample_indices,
    skipped_pairs, skipping_options)
from classroomkd_mm.models.losses.feature_mse_loss import FeatureMSELoss
from classroomkd_mm.models.policies.average_mentors import AverageMentors
from classroomkd_mm.models.policies.knowledge_filter import KnowledgeFilter
from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.student_weights import student_checkpoint
from tests.helpers.tiny_classifiers import NUM_CLASSES, distiller_cfg

NAN = float('nan')


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')


# ---- the rule ----------------------------------------------------------
def test_skipped_pairs_golden():
    cached = torch.tensor([NAN, 3.0, 0.5, 3.0, 2.8, 3.0])
    student = torch.tensor([1.0, 1.0, 1.0, NAN, 1.0, 1.0])
    probe = torch.tensor([False, False, False, False, False, True])
    # (c - e_s) / 2 > 0.95: 1.0 yes, -0.25 no, 0.9 no; NaN or probed: no
    got = skipped_pairs(cached, student, 2.0, 0.95, probe)
    assert got.tolist() == [False, True, False, False, False, False]
    # margin 0: any mentor behind the student (a tie is not behind)
    cached = torch.tensor([1.0 + 1e-6, 1.0, 0.5, 3.0])
    student = torch.ones(4)
    got = skipped_pairs(cached, student, 2.0, 0.0, torch.zeros(4, dtype=bool))
    assert got.tolist() == [True, False, False, True]


def test_reprobe_draws_golden_and_shares():
    idx = torch.tensor([0, 1, 2])
    zero = torch.zeros(3, dtype=torch.long)
    got = reprobe_draws(idx, zero, 0, 0)
    assert got.dtype == torch.float64
    expected = [0.0, 0.6180339887498949, 0.2360679774997898]
    assert got.tolist() == pytest.approx(expected, abs=1e-12)
    shifted = reprobe_draws(idx, zero + 1, 1, 1)
    assert shifted[0].item() == pytest.approx(
        (0.5698402909980532 + 0.7548776662466927 + 0.4142135623730951) % 1)
    # a set share of the samples per visit, and of the visits per sample
    many = torch.arange(1000)
    share = (reprobe_draws(many, torch.full((1000, ), 3), 2, 7) < 0.1)
    assert abs(share.float().mean().item() - 0.1) < 0.01
    visits = (reprobe_draws(torch.full((1000, ), 5), many, 2, 7) < 0.1)
    assert abs(visits.float().mean().item() - 0.1) < 0.01


def test_skipping_options_validated():
    assert skipping_options(None) is None
    assert skipping_options(dict(margin=2)).margin == 2.0
    assert skipping_options(dict(margin=0)).margin == 0.0
    for bad, word in ((dict(margin=-0.1), 'margin'),
                      (dict(margin=math.nan), 'margin'),
                      (dict(reprobe_fraction=1.5), 'reprobe_fraction'),
                      (dict(seed=0.5), 'seed'), (dict(margn=1), 'unknown')):
        with pytest.raises(ValueError, match=word):
            skipping_options(bad)
    with pytest.raises(TypeError, match='mentor_skipping must be a dict'):
        skipping_options(1.0)


def test_only_sample_knowledge_filter_is_accepted():
    check_skipping_policy(KnowledgeFilter(), None)
    with pytest.raises(ValueError, match='AverageMentors'):
        check_skipping_policy(AverageMentors(), None)
    with pytest.raises(ValueError, match='granularity'):
        check_skipping_policy(KnowledgeFilter(granularity='batch'), None)
    with pytest.raises(ValueError, match='weight_norm'):
        check_skipping_policy(KnowledgeFilter(weight_norm='none'), None)
    with pytest.raises(ValueError, match='round_decimals'):
        check_skipping_policy(KnowledgeFilter(round_decimals=2), None)
    check_skipping_policy(KnowledgeFilter(), FeatureMSELoss())
    with pytest.raises(ValueError, match="weighting='camkd'"):
        check_skipping_policy(KnowledgeFilter(),
                              FeatureMSELoss(weighting='camkd'))


def test_sample_indices_name_the_fix():
    samples = [DataSample(metainfo=dict(sample_idx=i)) for i in (3, 0)]
    assert sample_indices(samples) == [3, 0]
    with pytest.raises(ValueError, match="PackPoseInputs.*'sample_idx'"):
        sample_indices([DataSample()])


def test_full_batch_places_rows():
    out = full_batch((torch.tensor([[1.0], [2.0]]), torch.tensor([5.0, 6.0])),
                     torch.tensor([1, 3]), 4)
    assert out[0].flatten().tolist() == [0, 1, 0, 2]
    assert out[1].tolist() == [0, 5, 0, 6]


# ---- the distiller ---------------------------------------------------------
def batch(n=8, seed=0, indices=None):
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g).float()
    indices = range(n) if indices is None else indices
    samples = [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(
        i % NUM_CLASSES) for i in indices]
    return dict(inputs=list(images), data_samples=samples)


def pair(tmp_path, **skipping):
    plain = MODELS.build(distiller_cfg(tmp_path))
    skipping = MODELS.build(distiller_cfg(
        tmp_path, mentor_skipping=dict(dict(margin=0.02,
                                            reprobe_fraction=0.0),
                                       **skipping)))
    skipping.load_state_dict(plain.state_dict(), strict=False)
    return plain, skipping


def test_skipping_drops_only_pairs_kf_makes_inactive(tmp_path):
    plain, skipping = pair(tmp_path)
    data = plain.data_preprocessor(batch(), training=True)
    expected = plain(**data, mode='loss')
    first = skipping(**data, mode='loss')  # empty cache: nothing skipped
    for key, value in expected.items():
        assert torch.equal(first[key], value), key
    assert first['classroom.m0.skipped_rate'] == 0
    second = skipping(**data, mode='loss')  # same samples, cached errors
    rates = [second[f'classroom.m{m}.skipped_rate'].item() for m in (0, 1)]
    assert sum(rates) > 0
    for key, value in expected.items():
        torch.testing.assert_close(second[key], value, rtol=1e-6, atol=1e-7)
    visits = skipping.classroom.state_dict()['skip_cache.visits']
    assert visits[:8].tolist() == [2] * 8


def test_reprobe_fraction_one_never_skips(tmp_path):
    _, skipping = pair(tmp_path, reprobe_fraction=1.0)
    data = skipping.data_preprocessor(batch(), training=True)
    for _ in range(2):
        losses = skipping(**data, mode='loss')
    assert losses['classroom.m0.skipped_rate'] == 0
    assert losses['classroom.m1.skipped_rate'] == 0


def test_a_mentor_skipped_on_every_sample_does_not_run(tmp_path):
    _, skipping = pair(tmp_path)
    data = skipping.data_preprocessor(batch(), training=True)
    errors = torch.full((8, 2), NAN)
    errors[:, 0] = 100.0  # far behind the student
    skipping.classroom.load_state_dict({
        'skip_cache.errors': errors,
        'skip_cache.visits': torch.zeros(8, dtype=torch.long)})
    calls = []
    for name in ('m0', 'm1'):
        skipping.classroom.mentor(name).backbone.register_forward_pre_hook(
            lambda module, args, name=name: calls.append(
                (name, len(args[0]))))
    for _ in range(2):
        losses = skipping(**data, mode='loss')
    # one pass on one zero sample for m0's output shape, then none
    assert calls[:2] == [('m0', 1), ('m1', 8)]
    assert [name for name, _ in calls[2:]] == ['m1']
    assert losses['classroom.m0.skipped_rate'] == 1
    assert losses['classroom.m0.active_rate'] == 0
    assert all(torch.isfinite(v).all() for v in losses.values())


def test_cache_in_full_checkpoint_not_in_student_file(tmp_path):
    plain, skipping = pair(tmp_path)
    assert not any('skip_cache' in k for k in plain.state_dict())
    data = skipping.data_preprocessor(batch(indices=[5, 1, 9, 2, 0, 3, 4,
                                                     6]), training=True)
    skipping(**data, mode='loss')
    state = skipping.state_dict()
    assert state['classroom.skip_cache.errors'].shape == (10, 2)
    assert not any('skip_cache' in k
                   for k in student_checkpoint(skipping)['state_dict'])
    fresh = MODELS.build(distiller_cfg(
        tmp_path, mentor_skipping=dict(margin=0.02)))
    fresh.load_state_dict(state)
    assert torch.equal(fresh.classroom.state_dict()['skip_cache.visits'],
                       skipping.classroom.state_dict()['skip_cache.visits'])


def test_build_refusals(tmp_path):
    with pytest.raises(ValueError, match='KnowledgeFilter'):
        MODELS.build(distiller_cfg(tmp_path, policy=dict(
            type='classroomkd_mm.AverageMentors'), mentor_skipping=dict()))
    with pytest.raises(ValueError, match='needs mentors'):
        MODELS.build(distiller_cfg(tmp_path, widths=(),
                                   mentor_skipping=dict()))


def test_data_samples_without_sample_idx_are_refused(tmp_path):
    _, skipping = pair(tmp_path)
    data = batch()
    for sample in data['data_samples']:
        del sample.sample_idx
    data = skipping.data_preprocessor(data, training=True)
    with pytest.raises(ValueError, match='sample_idx'):
        skipping(**data, mode='loss')


def test_skipping_reads_the_device_once_per_step(tmp_path):
    """The audit's count with skipping on: one ``nonzero`` per mentor, on
    the host copy of the (M, N) run mask (the one device read of the step,
    which the sub-batch sizes need); nothing else."""
    from benchmarks.speed.sync_audit import loss_syncs
    _, skipping = pair(tmp_path)
    skipping.train()
    assert dict(loss_syncs(skipping, batch())) == {'aten.nonzero': 2}
