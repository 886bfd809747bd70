"""What the distiller needs to know about a host model family."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from ..structures import NetworkEvaluation


class BaseTaskAdapter:
    """Interface between :class:`ClassroomDistiller` and one family of host
    models (mmpretrain classifiers, mmpose heatmap or SimCC estimators).

    An adapter is stateless; it reads the host model's own head, loss and
    targets so that the student trains exactly as its host would train it.
    Per training step the distiller packs the ground truth once
    (:meth:`targets`), evaluates every network once (:meth:`evaluate`) and
    computes the student's own losses on its evaluated outputs
    (:meth:`student_losses`).
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

    # ---- one network -----------------------------------------------------
    def head_outputs(self, model: nn.Module, features: Tuple[Tensor, ...]):
        """The head's outputs (a tensor or a tuple of tensors) on the
        features it consumes."""
        raise NotImplementedError

    def forward(self, model: nn.Module, inputs: Tensor):
        """``(outputs, features)`` of ``model`` on preprocessed ``inputs``:
        the backbone (and neck) run once, the head once on their output."""
        features = model.extract_feat(inputs)
        return self.head_outputs(model, features), features

    def evaluate(self, model: nn.Module, inputs: Tensor,
                 targets) -> NetworkEvaluation:
        """``model``'s outputs, features, per-sample errors and finite mask
        on one batch (see :meth:`evaluate_outputs`)."""
        return self.evaluate_outputs(*self.forward(model, inputs), targets)

    def evaluate_outputs(self, outputs, features,
                         targets) -> NetworkEvaluation:
        """Judge outputs already computed: the errors of the detached
        ``outputs`` against ``targets``, NaN where a sample's outputs are not
        finite. ``outputs`` keep their graph in the evaluation. Outputs
        brought into the student's output space (or targets restricted to
        the keypoints two networks share) are judged the same way."""
        with torch.no_grad():
            detached = self.detach(outputs)
            finite = self.finite_samples(detached)
            errors = self.per_sample_error(detached, targets)
            errors = torch.where(finite, errors,
                                 torch.full_like(errors, float('nan')))
        return NetworkEvaluation(outputs, features, errors, finite)

    # ---- the batch's ground truth and the student's own losses -----------
    def targets(self, data_samples: List, device: torch.device):
        """Ground truth of a batch, packed once per step for
        :meth:`per_sample_error`, the divergences and
        :meth:`student_losses`."""
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

    def score_scale(self, student_errors: Tensor):
        """``score_scale`` of ``p = exp(-e / score_scale)`` when the policy
        names none."""
        return 1.0

    def student_losses(self, student: nn.Module, outputs, targets,
                       data_samples: List,
                       student_confidence: Optional[Tensor] = None
                       ) -> Dict[str, Tensor]:
        """The student's own task losses and accuracies, computed by its own
        head and loss module on its evaluated ``outputs`` and the packed
        ``targets`` (``data_samples`` for heads that read them), with the task
        loss of sample ``i`` weighted by ``student_confidence[i]`` (detached;
        ``None`` is the head's own loss)."""
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
