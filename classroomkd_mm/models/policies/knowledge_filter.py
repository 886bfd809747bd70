"""Knowledge Filtering (KF): ClassroomKD's per-sample mentor ranking."""
from typing import Optional, Tuple

import torch
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..setting_checks import check_number
from .base_policy import check_errors, usable_pairs
from ..structures import ClassroomEvidence, MentorPlan
from .scores import reduce_to_batch

GRANULARITIES = ('sample', 'batch')
WEIGHT_NORMS = ('active', 'none')


@MODELS.register_module()
class KnowledgeFilter:
    """Rank the student and its mentors on each sample, keep the mentors that
    do at least as well as the student, and measure how far ahead they are.

    With per-sample errors ``e_x(i) >= 0`` for the student ``s`` and mentors
    ``m = 1..M`` and a score scale ``score_scale``:

    - score ``p_x(i) = exp(-e_x(i) / score_scale)``;
    - weight ``w_m(i) = M * p_m(i) / sum_{x in {s} ∪ mentors} p_x(i)``;
    - active ``a_m(i) = [p_m(i) >= p_s(i)]``;
    - gap ``d_m(i) = 1 - p_s(i) / p_m(i)`` where active, else 0;
    - ``weight_norm='active'`` rescales the active weights of each sample to
      sum to 1; ``'none'`` (the authors' code) keeps them as they are;
    - ``granularity='batch'`` (the authors' code) first replaces every
      network's errors by their batch mean;
    - ``round_decimals=k`` (the authors' code: 2) rounds every network's
      share ``p_x(i) / sum_x' p_x'(i)`` to ``k`` decimals (half to even)
      before the rest, which then reads the rounded shares ``r_x(i)``:
      ``w_m(i) = M r_m(i)``, ``a_m(i) = [r_m(i) >= r_s(i)]``, ``d_m(i) = 1 -
      r_s(i) / r_m(i)`` where active and ``r_m(i) > 0``, else 0. The
      student's confidence stays the unrounded ``p_s(i)``.

    A mentor that covers only some of the student's keypoints (a
    ``keypoint_mapping``) is compared with the student on those keypoints:
    with ``e_s^m(i)`` the student's error there, its advantage is ``r_m(i) =
    exp(-(e_m(i) - e_s^m(i)) / score_scale)`` and::

        w_m(i) = M r_m(i) / (1 + sum_m' r_m'(i)),   a_m(i) = [r_m(i) >= 1],
        d_m(i) = 1 - 1 / r_m(i),                    p_s(i) from e_s(i)

    which are the equations above when every mentor covers every keypoint
    (``r_m = p_m / p_s``); see docs/heterogeneous_classroom.md.

    Everything is computed in the log domain (``p_s / p_m = exp(-(e_s - e_m)
    / score_scale)``) so that no score underflow makes a 0/0. A mentor with a
    non-finite error on a sample is inactive there and leaves the weights of
    the others untouched; a sample whose student error is non-finite carries
    no signal (e.g. no visible keypoint): no mentor is active on it and its
    confidence is 1.

    Args:
        granularity (str): ``'sample'`` (the paper) or ``'batch'``.
        weight_norm (str): ``'active'`` or ``'none'``.
        score_scale (float, optional): ``None`` takes the task adapter's (1
            for cross-entropy, the detached student batch mean for pose).
        confidence_weighting (bool): weight the student's task loss by the
            detached ``p_s(i)``; ``False`` gives ones.
        round_decimals (int, optional): round the shares to this many
            decimals (``None``: no rounding, the paper). With
            ``granularity='batch'`` and ``weight_norm='none'``, 2 reproduces
            the authors' released code for one teacher and any number of
            peers (see docs/policies.md).
    """

    def __init__(self,
                 granularity: str = 'sample',
                 weight_norm: str = 'active',
                 score_scale: Optional[float] = None,
                 confidence_weighting: bool = True,
                 round_decimals: Optional[int] = None):
        if granularity not in GRANULARITIES:
            raise ValueError(f'KnowledgeFilter: granularity={granularity!r} '
                             f'is not one of {GRANULARITIES}.')
        if weight_norm not in WEIGHT_NORMS:
            raise ValueError(f'KnowledgeFilter: weight_norm={weight_norm!r} '
                             f'is not one of {WEIGHT_NORMS}.')
        score_scale = check_number(type(self).__name__, 'score_scale',
                                   score_scale, above=0, optional=True)
        if round_decimals is not None and (
                isinstance(round_decimals, bool)
                or not isinstance(round_decimals, int) or round_decimals < 0):
            raise ValueError('KnowledgeFilter: round_decimals must be None or '
                             f'an int >= 0, got {round_decimals!r}.')
        self.round_decimals = round_decimals
        self.granularity = granularity
        self.weight_norm = weight_norm
        self.score_scale = score_scale
        self.confidence_weighting = confidence_weighting

    def prepared_errors(self, evidence: ClassroomEvidence
                        ) -> Tuple[Tensor, Tensor]:
        """Checked, detached float errors of the student ``(N,)`` and the
        mentors ``(M, N)``, reduced to their batch means for
        ``granularity='batch'``."""
        e_s, e_m = check_errors(type(self).__name__, evidence.student_errors,
                                evidence.mentor_errors)
        if self.granularity == 'batch':
            e_s = reduce_to_batch(e_s)
            e_m = reduce_to_batch(e_m)
        return e_s, e_m

    def paired_student_errors(self, evidence: ClassroomEvidence) -> Tensor:
        """``(M, N)`` detached float ``e_s^m(i)``, the student's error on the
        keypoints it shares with mentor ``m`` (its own error where the
        mentor covers every keypoint), reduced to batch means for
        ``granularity='batch'``."""
        e_sm = evidence.paired_student_errors.detach().float()
        return reduce_to_batch(e_sm) if self.granularity == 'batch' else e_sm

    def __call__(self, evidence: ClassroomEvidence) -> MentorPlan:
        score_scale = (evidence.score_scale if self.score_scale is None else
                       self.score_scale)
        e_s, e_m = self.prepared_errors(evidence)
        e_sm = self.paired_student_errors(evidence)
        num_mentors = e_m.shape[0]

        has_signal = torch.isfinite(e_s)
        usable = usable_pairs(e_s, e_m) & torch.isfinite(e_sm)
        e_s_safe = torch.where(has_signal, e_s, torch.zeros_like(e_s))
        e_m_safe = torch.where(usable, e_m, torch.zeros_like(e_m))
        e_sm_safe = torch.where(usable, e_sm, e_s_safe[None].expand_as(e_sm))

        # log p_x = -e_x / score_scale; unusable mentors get log p = -inf.
        # A mentor that covers only some keypoints is compared with the
        # student on those: its score is shifted by log p_s - log p_s^m, so
        # p_m / p_s becomes r_m = p_m / p_s^m (exactly 0 shift when it
        # covers every keypoint).
        log_p_s = -e_s_safe / score_scale
        shift = (e_sm_safe - e_s_safe[None]) / score_scale
        log_p_m = torch.where(usable, -e_m_safe / score_scale + shift,
                              torch.full_like(e_m_safe, float('-inf')))
        log_p = torch.cat([log_p_s[None], log_p_m], dim=0)
        if self.round_decimals is None:
            weights = num_mentors * torch.softmax(log_p, dim=0)[1:]
            active = usable & (log_p_m >= log_p_s[None])
            gaps = torch.where(active,
                               -torch.expm1(log_p_s[None] - log_p_m),
                               torch.zeros_like(log_p_m))
        else:
            active, weights, gaps = self.rounded_shares(log_p, usable)
        weights = torch.where(active, weights, torch.zeros_like(weights))
        if self.weight_norm == 'active':
            total = weights.sum(0, keepdim=True)
            weights = torch.where(active, weights / total.clamp_min(1e-12),
                                  torch.zeros_like(weights))

        if self.confidence_weighting:
            confidence = torch.where(has_signal, torch.exp(log_p_s),
                                     torch.ones_like(log_p_s))
        else:
            confidence = torch.ones_like(log_p_s)
        return MentorPlan(active, weights, gaps, confidence)

    def rounded_shares(self, log_p: Tensor, usable: Tensor
                       ) -> Tuple[Tensor, Tensor, Tensor]:
        """``(active, weights, gaps)`` from the shares ``r_x(i)`` rounded to
        ``round_decimals`` (in float64, as the authors' Python floats).

        Args:
            log_p (Tensor): ``(1 + M, N)`` log scores, the student's first;
                ``-inf`` for unusable mentors.
            usable (Tensor): ``(M, N)``.
        """
        shares = torch.round(
            torch.softmax(log_p.double(), dim=0), decimals=self.round_decimals)
        r_s, r_m = shares[:1], shares[1:]
        active = usable & (r_m >= r_s)
        teaching = active & (r_m > 0)
        gaps = torch.where(teaching, 1 - r_s / r_m.clamp_min(1e-300),
                           torch.zeros_like(r_m))
        return active, (r_m.shape[0] * r_m).float(), gaps.float()
