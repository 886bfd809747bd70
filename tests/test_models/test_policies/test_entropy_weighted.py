"""EntropyWeighted (EBKD): w_m(i) = 1 - H_m(i) / sum_j H_j(i)."""
import math

import pytest
import torch

from classroomkd_mm.models import (ClassifierAdapter, ClassroomEvidence,
                                   EntropyWeighted)

NAN, INF = float('nan'), float('inf')
evidence = ClassroomEvidence.from_errors


def close(actual, expected):
    torch.testing.assert_close(actual, torch.tensor(expected),
                               atol=1e-4, rtol=0)


class EntropyAsOutput:
    """A stand-in adapter whose 'outputs' are the entropies themselves."""

    def prediction_entropy(self, outputs):
        return outputs


def test_entropy_weighted_golden():
    entropies = [torch.tensor([1.0, 0.5, 0.0, NAN, 0.2, 0.3]),
                 torch.tensor([2.0, 0.5, 0.0, 1.0, 0.2, 0.3]),
                 torch.tensor([1.0, 0.0, 0.0, 3.0, 0.2, 0.3])]
    mentor_errors = torch.ones(3, 6)
    mentor_errors[2, 4] = NAN      # broken mentor on sample 4
    mentor_errors[:2, 5] = NAN     # only mentor 3 left on sample 5
    plan = EntropyWeighted()(evidence(torch.ones(6), mentor_errors,
                                      mentor_outputs=entropies,
                                      adapter=EntropyAsOutput()))
    # 0: H = 1, 2, 1, sum 4 -> 0.75, 0.5, 0.75
    # 1: H = 0.5, 0.5, 0, sum 1 -> 0.5, 0.5, 1
    # 2: all zero: a tie -> 1 - 1/3 each
    # 3: NaN entropy drops mentor 1: H = 1, 3 -> 0.75, 0.25
    # 4: mentor 3 broken: H = 0.2, 0.2 -> 0.5, 0.5
    # 5: a single mentor -> 1
    close(plan.weights, [[0.75, 0.5, 0.6667, 0., 0.5, 0.],
                         [0.5, 0.5, 0.6667, 0.75, 0.5, 0.],
                         [0.75, 1.0, 0.6667, 0.25, 0., 1.]])
    assert plan.active.tolist() == [
        [True, True, True, False, True, False],
        [True, True, True, True, True, False],
        [True, True, True, True, False, True]]
    assert plan.gaps is None


def test_classifier_adapter_entropy():
    adapter = ClassifierAdapter()
    logits = torch.tensor([[0., 0., 0., 0.],          # ln 4
                           [0., -INF, -INF, -INF],    # 0
                           [0., math.log(3), -INF, -INF],
                           [NAN, 0., 0., 0.]])
    # p = 0.25, 0.75: -(0.25 ln 0.25 + 0.75 ln 0.75) = 0.5623
    torch.testing.assert_close(adapter.prediction_entropy(logits),
                               torch.tensor([1.3863, 0., 0.5623, NAN]),
                               atol=1e-4, rtol=0, equal_nan=True)


def test_entropy_weighted_with_classifier_logits():
    # mentor 1 uniform over 4 classes (ln 4), mentor 2 over 2 (ln 2):
    # sum 3 ln 2 -> 1 - 2/3 and 1 - 1/3
    outs = [torch.zeros(1, 4), torch.tensor([[0., 0., -INF, -INF]])]
    plan = EntropyWeighted()(evidence(torch.zeros(1), torch.zeros(2, 1),
                                      mentor_outputs=outs,
                                      adapter=ClassifierAdapter()))
    close(plan.weights, [[0.3333], [0.6667]])


def test_entropy_weighted_needs_outputs_and_adapter():
    with pytest.raises(ValueError, match='mentor_outputs'):
        EntropyWeighted()(evidence(torch.zeros(1), torch.zeros(2, 1)))
    with pytest.raises(ValueError, match='one output per mentor'):
        EntropyWeighted()(evidence(torch.zeros(1), torch.zeros(2, 1),
                                   mentor_outputs=[torch.zeros(1)],
                                   adapter=EntropyAsOutput()))


def test_adapter_without_entropy_says_so():
    from classroomkd_mm.models import BaseTaskAdapter
    with pytest.raises(NotImplementedError, match='EntropyWeighted'):
        EntropyWeighted()(evidence(torch.zeros(1), torch.zeros(2, 1),
                                   mentor_outputs=[torch.zeros(1, 2)] * 2,
                                   adapter=BaseTaskAdapter()))
