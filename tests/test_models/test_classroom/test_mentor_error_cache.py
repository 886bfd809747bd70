"""The per-sample error cache of mentor skipping."""
import torch

from classroomkd_mm.models.classroom.mentor_error_cache import \
    MentorErrorCache


def test_cache_grows_records_counts_and_loads_its_size():
    cache = MentorErrorCache(2)
    cache.reserve([2, 0])
    assert cache.errors.shape == (3, 2) and cache.errors.isnan().all()
    cache.record(torch.tensor([2, 0]), 1, torch.tensor([0.5, 0.7]),
                 torch.tensor([True, False]))
    cache.count_visit(torch.tensor([2, 0, 2]))
    cache.reserve([4])
    assert cache.errors[2].tolist()[1] == 0.5
    assert cache.errors[:, 1].isnan().tolist() == [True, True, False, True,
                                                    True]
    assert cache.visits.tolist() == [1, 0, 2, 0, 0]
    fresh = MentorErrorCache(2)
    fresh.load_state_dict(cache.state_dict())
    assert torch.equal(fresh.visits, cache.visits)
    assert torch.equal(fresh.errors.nan_to_num(-1), cache.errors.nan_to_num(-1))
