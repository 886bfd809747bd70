"""Samples without ground truth (unlabelled people): the policies whose rule
needs no error teach them; CA-MKD cannot; KnowledgeFilter skips them (the
paper) or follows each mentor's reliability on the labelled samples; the
mentoring loss teaches them on every keypoint."""
import math

import pytest
import torch

from classroomkd_mm.models import (AverageMentors, CAMKD, ClassroomEvidence,
                                   EntropyWeighted, KnowledgeFilter,
                                   MentoringLoss, RandomMentorDrop,
                                   SingleMentorKD)

NAN = float('nan')
# samples 0-3 labelled, 4-5 unlabelled (no error, outputs finite)
UNLABELLED = torch.tensor([False] * 4 + [True] * 2)


def evidence(**kwargs):
    student = torch.tensor([0.5, 0.5, 0.5, 0.5, NAN, NAN])
    mentors = torch.tensor([
        [0.2, 0.3, 0.9, 0.1, NAN, NAN],  # ahead on 3 of 4 labelled
        [0.9, 0.8, 0.4, 0.7, NAN, NAN],  # ahead on 1 of 4
    ])
    return ClassroomEvidence.from_errors(student, mentors, score_scale=0.5,
                                         unlabelled=UNLABELLED, **kwargs)


def test_the_evidence_tells_unlabelled_samples_from_broken_outputs():
    ev = evidence()
    assert ev.unlabelled.tolist() == UNLABELLED.tolist()
    assert ev.teachable_unlabelled.tolist() == [UNLABELLED.tolist()] * 2
    # without the mask, NaN errors read as broken outputs: nothing to teach
    plain = ClassroomEvidence.from_errors(ev.student_errors,
                                          ev.mentor_errors)
    assert not plain.unlabelled.any()


@pytest.mark.parametrize('policy', [SingleMentorKD(), AverageMentors(),
                                    RandomMentorDrop(drop_num=1)])
def test_error_free_policies_teach_unlabelled_samples(policy):
    torch.manual_seed(0)
    plan = policy(evidence())
    assert plan.active[:, 4:].any(0).all()
    assert (plan.weights[:, 4:].sum(0) > 0).all()
    skip = type(policy)(unlabelled='skip') if not isinstance(
        policy, RandomMentorDrop) else RandomMentorDrop(1, unlabelled='skip')
    assert not skip(evidence()).active[:, 4:].any()


def test_entropy_weighted_teaches_unlabelled_samples_from_entropies():
    class Entropy:
        def prediction_entropy(self, outputs):
            return outputs

    outputs = [torch.full((6, ), 1.0), torch.full((6, ), 3.0)]
    plan = EntropyWeighted()(evidence(mentor_outputs=outputs,
                                      adapter=Entropy()))
    # w_m = 1 - H_m / sum H: 0.75 and 0.25 on every sample, unlabelled too
    assert torch.allclose(plan.weights[:, 5], torch.tensor([0.75, 0.25]))


def test_camkd_needs_errors_and_never_teaches_unlabelled_samples():
    assert not CAMKD()(evidence()).active[:, 4:].any()
    with pytest.raises(ValueError, match='unlabelled'):
        SingleMentorKD(unlabelled='always')


def test_knowledge_filter_skips_unlabelled_samples_by_default():
    plan = KnowledgeFilter()(evidence())
    assert not plan.active[:, 4:].any()
    assert plan.student_confidence[4:].tolist() == [1.0, 1.0]


def test_knowledge_filter_reliability_rule_by_hand():
    plan = KnowledgeFilter(unlabelled='reliability',
                           weight_norm='none')(evidence())
    # mentor 0 is active on 3 of the 4 labelled samples (rho 0.75), mentor
    # 1 on 1 of 4 (0.25): only mentor 0 teaches the unlabelled samples
    assert plan.active[:, 4:].tolist() == [[True, True], [False, False]]
    # its weight there: the mean of its weights where it was active
    # (w = M p_m / (p_s + p_0 + p_1), p = exp(-e / 0.5))
    def weight(i):
        e = torch.tensor([[0.5, 0.2, 0.9], [0.5, 0.3, 0.8], [0.5, 0.9, 0.4],
                          [0.5, 0.1, 0.7]])[i]
        p = torch.exp(-e / 0.5)
        return float(2 * p[1] / p.sum())
    expected = sum(weight(i) for i in (0, 1, 3)) / 3
    assert math.isclose(float(plan.weights[0, 4]), expected, rel_tol=1e-5)
    gaps = [1 - math.exp(-(0.5 - e) / 0.5) for e in (0.2, 0.3, 0.1)]
    assert math.isclose(float(plan.gaps[0, 5]), sum(gaps) / 3,
                        rel_tol=1e-5)
    # the labelled samples decide as without the rule
    same = KnowledgeFilter(weight_norm='none')(evidence())
    assert torch.equal(plan.active[:, :4], same.active[:, :4])


def test_knowledge_filter_reliability_needs_a_labelled_sample():
    student = torch.tensor([NAN, NAN])
    mentors = torch.tensor([[NAN, NAN]])
    ev = ClassroomEvidence.from_errors(student, mentors,
                                       unlabelled=torch.tensor([True, True]))
    assert not KnowledgeFilter(unlabelled='reliability')(ev).active.any()
    with pytest.raises(ValueError, match='unlabelled'):
        KnowledgeFilter(unlabelled='teach')


def test_the_mentoring_loss_teaches_an_unlabelled_person_every_keypoint():
    from classroomkd_mm.models.adapters.simcc_adapter import SimCCTargets
    from classroomkd_mm.models.structures import \
        NetworkEvaluation
    torch.manual_seed(0)
    n, k, bins = 3, 4, 8
    weights = torch.ones(n, k)
    weights[2] = 0  # sample 2: an unlabelled person
    targets = SimCCTargets(torch.rand(n, k, bins), torch.rand(n, k, bins),
                           weights)
    student_out = (torch.randn(n, k, bins), torch.randn(n, k, bins))
    mentor_out = (torch.randn(n, k, bins), torch.randn(n, k, bins))
    e_s = torch.tensor([0.5, 0.5, NAN])
    student = NetworkEvaluation(student_out, (), e_s, torch.ones(n).bool())
    mentor = NetworkEvaluation(mentor_out, (), torch.tensor([0.2, 0.2, NAN]),
                               torch.ones(n).bool())
    ev = ClassroomEvidence(student, (mentor, ), targets, 0.5)
    loss = MentoringLoss(divergence=dict(type='SimCCKLDivergence'))
    taught = loss(ev, AverageMentors()(ev))['loss_mentoring']
    skipped = loss(ev, AverageMentors(unlabelled='skip')(ev))[
        'loss_mentoring']
    assert taught > skipped > 0
