"""The mentoring loss: gap-driven temperatures around a base divergence."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..setting_checks import check_number
from ..component_builder import build_component
from ..structures import ClassroomEvidence, MentorPlan


def gap_temperatures(gaps: Optional[Tensor], active: Tensor,
                     base_temperature: float, tau: float) -> Tensor:
    """``T_m(i) = T0 + tau * d_m(i)``, with ``T0 = base_temperature``.

    ``T0 = 1`` is ClassroomKD (a mentor far ahead teaches softly, one just
    ahead sharply); ``tau = 0`` or no gaps gives the fixed temperature ``T0``
    of KD and AVER.
    """
    temperatures = torch.full(active.shape, float(base_temperature),
                              device=active.device)
    if gaps is not None and tau != 0:
        temperatures = temperatures + tau * gaps.to(temperatures.dtype)
    return temperatures


def _zero_samples(outputs, keep: Tensor):
    """Outputs (a tensor or a tuple of tensors) with the samples outside
    ``keep`` zeroed: an inf or NaN there would make a NaN gradient even
    through a ``torch.where`` that drops it."""
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(_zero_samples(o, keep) for o in outputs)
    mask = keep.view(-1, *([1] * (outputs.ndim - 1)))
    return torch.where(mask, outputs, torch.zeros_like(outputs))


@MODELS.register_module()
class MentoringLoss(nn.Module):
    """``L_distill = lambda * mean_i[ sum_m a_m(i) * w_m(i) * rho_m(i) *
    T_m(i)^2 * D_m(student_i, mentor_i; T_m(i)) ]``.

    For a pose mentor that covers only some of the student's keypoints
    (``keypoint_mapping``), ``D_m`` is averaged over the visible keypoints
    it shares with the student (its evaluation's restricted ``targets``) and
    ``rho_m(i)`` is the share of the sample's visible keypoints it covers,
    so ``rho_m D_m = sum_k v_mik KL_k / |{k: w_ik > 0}|``: every keypoint it
    covers is taught as a full-coverage mentor would teach it, the others
    get no gradient from it. ``rho_m = 1`` and ``D_m = D`` otherwise.

    Args:
        divergence (dict): config of the base divergence ``D`` (e.g.
            ``LogitKLDivergence``); ``None`` lets the task adapter choose.
        tau (float): gap-to-temperature slope.
        base_temperature (float): ``T0``, the temperature at zero gap.
        loss_weight (float): ``lambda``.
    """

    def __init__(self,
                 divergence: Optional[dict] = None,
                 tau: float = 12.0,
                 base_temperature: float = 1.0,
                 loss_weight: float = 1.0):
        super().__init__()
        tau = check_number('MentoringLoss', 'tau', tau, minimum=0)
        base_temperature = check_number('MentoringLoss', 'base_temperature',
                                        base_temperature, above=0)
        loss_weight = check_number('MentoringLoss', 'loss_weight',
                                   loss_weight, minimum=0)
        self.divergence_cfg = divergence
        self.divergence = None if divergence is None else build_component(
            divergence, 'divergence')
        self.tau = tau
        self.base_temperature = base_temperature
        self.loss_weight = loss_weight

    def temperatures(self, plan: MentorPlan) -> Tensor:
        """``(M, N)`` temperatures for a plan."""
        return gap_temperatures(plan.gaps, plan.active, self.base_temperature,
                                self.tau)

    def forward(self, evidence: ClassroomEvidence,
                plan: MentorPlan) -> Dict[str, Tensor]:
        """The loss between the student's outputs and every mentor's in
        ``evidence``, per ``plan``. Returns ``{'loss_mentoring': scalar}`` and
        the ``(M, N)`` temperatures used, under ``'temperatures'``."""
        temperatures = self.temperatures(plan)
        student_out = evidence.student.outputs
        total = None
        for m, mentor in enumerate(evidence.mentors):
            active = plan.active[m]
            # A mentor that covers some keypoints: D over those (its
            # restricted targets), times the share rho it covers.
            targets = (evidence.targets if mentor.targets is None else
                       mentor.targets)
            per_sample = self.divergence(student_out,
                                         _zero_samples(mentor.outputs, active),
                                         temperatures[m], targets)
            if mentor.coverage is not None:
                per_sample = per_sample * mentor.coverage.to(
                    per_sample.dtype)
            weighted = plan.weights[m] * temperatures[m]**2 * per_sample
            # where, not a product: an inactive sample may hold inf or NaN.
            weighted = torch.where(active, weighted,
                                   torch.zeros_like(weighted))
            total = weighted if total is None else total + weighted
        loss = self.loss_weight * total.mean()
        return dict(loss_mentoring=loss, temperatures=temperatures)
