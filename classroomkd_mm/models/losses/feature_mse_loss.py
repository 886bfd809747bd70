"""Feature-level distillation: the student's feature, through a connector,
regressed onto each mentor's feature."""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..policies.camkd import camkd_weights
from ..setting_checks import check_number
from ..structures import ClassroomEvidence, MentorPlan

WEIGHTINGS = ('plan', 'camkd')


def feature_mse(student_feature: Tensor, mentor_feature: Tensor) -> Tensor:
    """Per-sample ``mse(i) = mean_{c,h,w} (f_s(i) - f_m(i))^2``.

    Args:
        student_feature (Tensor): ``(N, ...)``, e.g. ``(N, C, H, W)``.
        mentor_feature (Tensor): same shape, detached.

    Returns:
        Tensor: ``(N,)``.
    """
    diff = student_feature - mentor_feature.to(student_feature.dtype)
    return diff.pow(2).flatten(1).mean(-1)


def match_spatial_size(feature: Tensor, size: Tuple[int, ...]) -> Tensor:
    """``feature`` ``(N, C, H, W)`` brought to the spatial ``size`` of a
    mentor's feature: adaptive average pooling when it is at least as large,
    bilinear interpolation when smaller (as CA-MKD's code does); features
    of other ranks, or of that size already, are returned as they are."""
    if feature.ndim != 4 or tuple(feature.shape[2:]) == tuple(size):
        return feature
    if feature.shape[2] >= size[0] and feature.shape[3] >= size[1]:
        return F.adaptive_avg_pool2d(feature, size)
    return F.interpolate(feature, size=size, mode='bilinear',
                         align_corners=False)


@MODELS.register_module()
class FeatureMSELoss(nn.Module):
    """``L_feat = lambda * mean_i[ sum_m a_m(i) w_m(i) mse(c_m(f_s(i)),
    f_m(i)) ]``: the student's feature ``f_s`` (what its head consumes: the
    last of the features the adapter returns), brought to mentor ``m``'s
    spatial size and through its connector ``c_m`` (identity when the
    distiller has none for ``m``), regressed onto the mentor's feature
    ``f_m`` (:func:`feature_mse`).

    ``weighting`` chooses ``a`` and ``w``:

    - ``'plan'``: the policy's active mask and weights, as the mentoring
      loss uses them (with ``SingleMentorKD`` this is DWPose's first-stage
      feature loss, a mean instead of a sum over the feature's elements);
    - ``'camkd'``: CA-MKD's intermediate-feature term (Zhang et al. 2022):
      ``w_m(i) = (1 - softmax_m(e'_m(i) / score_scale)) / (M(i) - 1)`` with
      ``e'_m(i)`` the error of mentor ``m``'s own head run on the connected
      student feature ``c_m(f_s(i))``, brought into the student's output
      space through the mentor's bridge (:meth:`Classroom.head_outputs`)
      and judged on the targets the mentor is judged on: the better the student's feature
      serves the mentor's head, the larger its weight. As in the authors'
      code; unlike it, the weights are detached (no gradient flows through
      them), and the mean is over samples only (the authors' code divides
      by ``M`` as well, and skips the term in the first epoch).

    A mentor whose feature is not finite on a sample does not teach it, and
    no sample without signal takes part.

    Args:
        loss_weight (float): ``lambda``.
        weighting (str): ``'plan'`` or ``'camkd'``.
    """

    def __init__(self, loss_weight: float = 1.0, weighting: str = 'plan'):
        super().__init__()
        if weighting not in WEIGHTINGS:
            raise ValueError(f'FeatureMSELoss: weighting={weighting!r} is not '
                             f'one of {WEIGHTINGS}.')
        self.loss_weight = check_number('FeatureMSELoss', 'loss_weight',
                                        loss_weight, minimum=0)
        self.weighting = weighting

    @staticmethod
    def connect(name: str, student_feature: Tensor, mentor_feature: Tensor,
                connectors: nn.ModuleDict) -> Tensor:
        """``c_m(f_s)`` at the mentor feature's spatial size, checked to
        have the mentor feature's shape."""
        feature = match_spatial_size(student_feature,
                                     tuple(mentor_feature.shape[2:]))
        if name in connectors:
            feature = connectors[name](feature)
        if feature.shape != mentor_feature.shape:
            raise ValueError(
                f'FeatureMSELoss: the student feature, connected to mentor '
                f'{name!r}, has shape {tuple(feature.shape)} but the '
                f"mentor's is {tuple(mentor_feature.shape)}: add "
                f'connectors=dict({name}=dict(type=\'ConvConnector\', '
                f'in_channels={student_feature.shape[1]}, '
                f'out_channels={mentor_feature.shape[1]})) to the distiller.')
        return feature

    def forward(self, evidence: ClassroomEvidence, plan: MentorPlan,
                connectors: nn.ModuleDict, classroom) -> Tensor:
        """The loss for one batch: the mentors' features are those of the
        classroom's evaluations in ``evidence`` (the same mentor pass);
        ``connectors`` are the distiller's; the ``classroom`` runs the
        mentors' heads on the connected features for ``weighting='camkd'``.
        A pair the classroom skipped (NaN error) does not take part."""
        student_feature = evidence.student.features[-1]
        names = classroom.names
        connected = [
            self.connect(name, student_feature, m.features[-1], connectors)
            for name, m in zip(names, evidence.mentors)
        ]
        usable = torch.stack([m.finite for m in evidence.mentors]) & \
            torch.isfinite(evidence.student_errors)[None]
        if self.weighting == 'plan':
            active, weights = plan.active & usable, plan.weights
        else:
            active, weights = self.camkd_weights(evidence, connected,
                                                 classroom, usable)
        total = None
        for m, mentor in enumerate(evidence.mentors):
            target = torch.where(
                active[m].view(-1, *([1] * (connected[m].ndim - 1))),
                mentor.features[-1], torch.zeros_like(mentor.features[-1]))
            weighted = weights[m] * feature_mse(connected[m], target.detach())
            # where, not a product: an inactive sample may hold inf or NaN.
            weighted = torch.where(active[m], weighted,
                                   torch.zeros_like(weighted))
            total = weighted if total is None else total + weighted
        return self.loss_weight * total.mean()

    @staticmethod
    def camkd_weights(evidence: ClassroomEvidence, connected, classroom,
                      usable: Tensor):
        """CA-MKD's feature weights from each mentor's head on the connected
        student feature (detached), in the student's output space."""
        adapter = evidence.adapter
        with torch.no_grad():
            errors = torch.stack([
                adapter.evaluate_outputs(
                    classroom.head_outputs(name, (feature.detach(), )), (),
                    evidence.targets if m.targets is None else m.targets
                ).errors
                for name, feature, m in zip(classroom.names, connected,
                                            evidence.mentors)
            ]).float()
        usable = usable & torch.isfinite(errors)
        return usable, camkd_weights(errors, usable, evidence.score_scale)
