"""Per dataset sample and mentor, the error measured the last time the
sample was seen (for :mod:`.mentor_skipping`)."""
from typing import Sequence

import torch
import torch.nn as nn
from torch import Tensor


class MentorErrorCache(nn.Module):
    """Two buffers indexed by the dataset's ``sample_idx``:

    - ``errors`` ``(S, M)`` float32: ``c_m(i)``, mentor ``m``'s error on
      sample ``i`` when it last ran on it; NaN before;
    - ``visits`` ``(S,)`` int64: how many training steps have seen sample
      ``i``.

    ``S`` grows to the largest ``sample_idx`` seen plus one. The buffers are
    in the distiller's ``state_dict`` (so the full checkpoint holds them and
    ``--resume`` continues with the same decisions) under ``skip_cache.``,
    outside ``student.`` (so the student-only file does not). Loading a
    state dict resizes them to the saved size.
    """

    def __init__(self, num_mentors: int):
        super().__init__()
        self.num_mentors = num_mentors
        self.register_buffer('errors', torch.empty(0, num_mentors))
        self.register_buffer('visits', torch.empty(0, dtype=torch.long))
        self._register_load_state_dict_pre_hook(self._resize_to_saved)

    def _resize_to_saved(self, state_dict, prefix, *args, **kwargs):
        errors = state_dict.get(prefix + 'errors')
        visits = state_dict.get(prefix + 'visits')
        if errors is not None:
            self.errors = self.errors.new_empty(errors.shape)
        if visits is not None:
            self.visits = self.visits.new_empty(visits.shape)

    def reserve(self, sample_idx: Sequence[int]) -> None:
        """Grow the buffers to hold ``max(sample_idx)`` (host ints, so no
        device read)."""
        needed = max(sample_idx) + 1
        have = self.visits.shape[0]
        if needed <= have:
            return
        errors = self.errors.new_full((needed, self.num_mentors),
                                      float('nan'))
        errors[:have] = self.errors
        visits = self.visits.new_zeros(needed)
        visits[:have] = self.visits
        self.errors, self.visits = errors, visits

    def cached(self, index: Tensor, mentor: int) -> Tensor:
        """``(N,)`` ``c_m(i)`` of the samples ``index``."""
        return self.errors[index, mentor]

    def record(self, index: Tensor, mentor: int, errors: Tensor,
               measured: Tensor) -> None:
        """``c_m(i) <- e_m(i)`` where ``measured``, unchanged elsewhere."""
        column = self.errors[:, mentor]
        column[index] = torch.where(measured, errors.float(),
                                    column[index])

    def count_visit(self, index: Tensor) -> None:
        """``v(i) <- v(i) + 1`` for every sample of the batch."""
        self.visits.index_put_((index, ), torch.ones_like(index),
                               accumulate=True)
