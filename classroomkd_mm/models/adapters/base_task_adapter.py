"""What the distiller needs to know about a host model family."""
from typing import Dict, List

import torch
import torch.nn as nn
from torch import Tensor


class BaseTaskAdapter:
    """Interface between :class:`ClassroomDistiller` and one family of host
    models (mmpretrain classifiers, mmpose heatmap or SimCC estimators).

    An adapter is stateless; it reads the host model's own head, loss and
    targets so that the student trains exactly as its host would train it.
    """

    #: config of the divergence used when ``MentoringLoss`` names none.
    default_divergence: dict = None

    @classmethod
    def supports(cls, model: nn.Module) -> bool:
        """Whether this adapter knows how to handle ``model``."""
        raise NotImplementedError

    def bind(self, student: nn.Module):
        """Called once by the distiller with the built student, before any
        other method; adapters whose error is the student head's own loss
        (SimCC) keep what they need from it."""

    def output_signature(self, model: nn.Module) -> Dict[str, object]:
        """What must agree between mentors and student (e.g. the number of
        classes), read from the built model."""
        raise NotImplementedError

    def forward(self, model: nn.Module, inputs: Tensor):
        """Head outputs of ``model`` on preprocessed ``inputs`` (the backbone
        runs once)."""
        raise NotImplementedError

    def targets(self, outputs, data_samples: List):
        """Ground truth packed for :meth:`per_sample_error` and the
        divergence."""
        raise NotImplementedError

    def per_sample_error(self, outputs, targets) -> Tensor:
        """``(N,)`` errors ``e(i) >= 0`` against the ground truth; non-finite
        where a sample carries no signal."""
        raise NotImplementedError

    def prediction_entropy(self, outputs) -> Tensor:
        """``(N,)`` entropy of each sample's predicted distribution (used by
        the ``EntropyWeighted`` policy); non-finite for broken outputs."""
        raise NotImplementedError(
            f'{type(self).__name__} does not implement prediction_entropy, '
            'which the EntropyWeighted (EBKD) policy needs; implement it in '
            'the adapter or pick another policy.')

    def default_score_scale(self, student_errors: Tensor):
        """``beta`` of ``p = exp(-e / beta)`` when the policy names none."""
        return 1.0

    def student_losses(self, student: nn.Module, outputs, data_samples: List,
                       sample_weights: Tensor = None) -> Dict[str, Tensor]:
        """The student's own task losses and accuracies, computed by its own
        head and loss module, with the task loss of sample ``i`` weighted by
        ``sample_weights[i]`` (the mean of the weighted losses)."""
        raise NotImplementedError

    @staticmethod
    def _as_tuple(outputs):
        return outputs if isinstance(outputs, (tuple, list)) else (outputs, )

    def detach(self, outputs):
        """``outputs`` (a tensor or a tuple of tensors) detached."""
        if isinstance(outputs, (tuple, list)):
            return type(outputs)(o.detach() for o in outputs)
        return outputs.detach()

    def finite_samples(self, outputs) -> Tensor:
        """``(N,)`` bool: every output value of sample ``i`` is finite."""
        masks = [torch.isfinite(o).flatten(1).all(1)
                 for o in self._as_tuple(outputs)]
        return torch.stack(masks).all(0)
