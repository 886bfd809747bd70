"""RandomMentorDrop (DGKD): equal weights over the mentors kept this
iteration."""
import pytest
import torch

from classroomkd_mm.models import ClassroomEvidence, RandomMentorDrop

NAN = float('nan')
evidence = ClassroomEvidence.from_errors


def test_drops_exactly_drop_num_and_shares_equally():
    torch.manual_seed(0)
    policy = RandomMentorDrop(drop_num=2)
    dropped = torch.zeros(4)
    for _ in range(200):
        plan = policy(evidence(torch.ones(3), torch.ones(4, 3)))
        kept = plan.active.all(1)
        # whole mentors are dropped, for every sample of the batch
        assert torch.equal(plan.active.any(1), kept)
        assert kept.sum() == 2
        torch.testing.assert_close(plan.weights[kept], torch.full((2, 3),
                                                                  0.5))
        assert (plan.weights[~kept] == 0).all()
        dropped += (~kept).float()
    # each mentor sits out about half of the iterations
    assert ((dropped > 60) & (dropped < 140)).all(), dropped


def test_seeded_runs_reproduce():
    def run():
        torch.manual_seed(123)
        policy = RandomMentorDrop(drop_num=1)
        return [policy(evidence(torch.ones(2), torch.ones(3, 2))).active
                for _ in range(10)]

    assert all(torch.equal(a, b) for a, b in zip(run(), run()))


def test_nan_mentor_and_drop_zero():
    # drop_num = 0 is AVER; the NaN mentor's share goes to the others
    plan = RandomMentorDrop(drop_num=0)(
        evidence(torch.ones(2), torch.tensor([[1., NAN], [1., 1.]])))
    torch.testing.assert_close(plan.weights,
                               torch.tensor([[0.5, 0.], [0.5, 1.]]))
    assert plan.gaps is None


def test_drop_num_too_large_names_the_fix():
    with pytest.raises(ValueError, match=r'drop_num=2 .* use drop_num <= 1'):
        RandomMentorDrop(drop_num=2)(evidence(torch.ones(1), torch.ones(2, 1)))


@pytest.mark.parametrize('drop_num', [-1, 1.5, True])
def test_bad_drop_num(drop_num):
    with pytest.raises(ValueError, match='drop_num'):
        RandomMentorDrop(drop_num=drop_num)
