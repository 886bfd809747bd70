"""The data of one training step, in one place: each network's evaluation
on the batch (:class:`NetworkEvaluation`), what a policy knows about the
batch (:class:`ClassroomEvidence`) and what it decides (:class:`MentorPlan`).
Adapters, the classroom, policies and losses all import them from here."""
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor


@dataclass(frozen=True)
class NetworkEvaluation:
    """A network (the student or a mentor) evaluated on one batch by a task
    adapter (:meth:`BaseTaskAdapter.evaluate`).

    Attributes:
        outputs: the head's outputs in the student's output space (a tensor,
            or a tuple of tensors for SimCC heads); the student's keep their
            autograd graph, the mentors' are computed without one.
        features (tuple[Tensor]): what the head consumed (the backbone's, or
            the neck's, outputs), for feature-level losses.
        errors (Tensor): ``(N,)`` detached per-sample errors ``e(i) >= 0``
            against the ground truth; NaN where the outputs of sample ``i``
            are not finite, non-finite where the sample carries no signal
            (e.g. no visible keypoint).
        finite (Tensor): ``(N,)`` bool, every output value of sample ``i`` is
            finite.
        targets: a mentor that covers only some of the student's keypoints
            (``keypoint_mapping``): the batch's targets restricted to them
            (keypoint weights ``v_mik = w_ik c_mk``), against which its
            ``errors`` are taken and its divergence is averaged; None: the
            batch's own.
        student_errors (Tensor, optional): ``(N,)`` the student's errors on
            the same restricted targets, ``e_s^m(i)``, what Knowledge
            Filtering compares ``errors`` with; None: the student's own.
        coverage (Tensor, optional): ``(N,)`` ``rho_m(i)``, the share of
            sample ``i``'s visible keypoints the mentor covers; None: 1.
    """
    outputs: Any
    features: Tuple[Tensor, ...]
    errors: Tensor
    finite: Tensor
    targets: Any = None
    student_errors: Optional[Tensor] = None
    coverage: Optional[Tensor] = None


@dataclass(frozen=True)
class ClassroomEvidence:
    """The evidence a policy turns into a :class:`MentorPlan`: the student's
    and every mentor's evaluation on the batch, the ground truth, and the
    score scale of ``p_x(i) = exp(-e_x(i) / score_scale)``.

    The distiller builds it once per step; a policy reads it and never runs
    a network. Errors are compared pairwise, student against mentor ``m`` on
    the same targets, so a mentor whose outputs must first be brought into
    the student's output space is evaluated on those mapped outputs.

    Attributes:
        student (NetworkEvaluation): the student's evaluation (its outputs
            keep their graph; policies must not back-propagate through them).
        mentors (tuple[NetworkEvaluation]): one per mentor, in the order of
            the distiller's ``mentors`` dict.
        targets: the ground truth as the task adapter packs it.
        score_scale (float or Tensor): the task adapter's score scale (1 for
            cross-entropy, the student's detached mean error for pose); a
            policy's own ``score_scale`` argument overrides it.
        adapter: the task adapter, for what only it knows how to compute
            from outputs (e.g. :meth:`BaseTaskAdapter.prediction_entropy`).
    """
    student: NetworkEvaluation
    mentors: Tuple[NetworkEvaluation, ...]
    targets: Any = None
    score_scale: Union[float, Tensor] = 1.0
    adapter: Any = field(default=None, repr=False)

    @classmethod
    def from_errors(cls,
                    student_errors: Tensor,
                    mentor_errors: Tensor,
                    score_scale: Union[float, Tensor] = 1.0,
                    mentor_outputs: Optional[Sequence] = None,
                    adapter: Any = None) -> 'ClassroomEvidence':
        """Evidence from errors alone (and, for policies that read them, the
        mentors' outputs and the adapter): for calling a policy outside the
        distiller. ``student_errors`` is ``(N,)``, ``mentor_errors``
        ``(M, N)``; a NaN error marks a broken mentor output. The ``finite``
        masks are read off the errors."""
        if mentor_errors.ndim == 0:
            raise ValueError('ClassroomEvidence: mentor_errors must have '
                             'shape (M, N), got a scalar.')
        outputs = list(mentor_outputs) if mentor_outputs is not None else (
            [None] * len(mentor_errors))
        if len(outputs) != len(mentor_errors):
            raise ValueError(
                f'ClassroomEvidence: {len(outputs)} mentor outputs for '
                f'{len(mentor_errors)} rows of mentor errors; pass one '
                'output per mentor, in the same order.')
        student = NetworkEvaluation(None, (), student_errors,
                                    torch.isfinite(student_errors))
        mentors = tuple(
            NetworkEvaluation(out, (), errors, torch.isfinite(errors))
            for out, errors in zip(outputs, mentor_errors))
        return cls(student, mentors, None, score_scale, adapter)

    @property
    def student_errors(self) -> Tensor:
        """``(N,)`` the student's errors."""
        return self.student.errors

    @cached_property
    def paired_student_errors(self) -> Tensor:
        """``(M, N)`` the student's error compared with each mentor,
        ``e_s^m(i)``: on the keypoints the student shares with mentor ``m``
        (its evaluation's ``student_errors``), else the student's own
        ``e_s(i)``."""
        return torch.stack([
            self.student_errors if m.student_errors is None else
            m.student_errors for m in self._checked_mentors()
        ])

    def _checked_mentors(self):
        if not self.mentors:
            raise ValueError(
                'ClassroomEvidence: no mentors. With no mentors, configure '
                'mentors={} for NoKD instead of calling a policy.')
        return self.mentors

    @cached_property
    def mentor_errors(self) -> Tensor:
        """``(M, N)`` the mentors' errors, NaN where a mentor's output is
        broken."""
        if not self.mentors:
            raise ValueError(
                'ClassroomEvidence: no mentors. With no mentors, configure '
                'mentors={} for NoKD instead of calling a policy.')
        return torch.stack([m.errors for m in self.mentors])

    def mentor_entropies(self) -> Tensor:
        """``(M, N)`` entropy of each mentor's prediction on each sample,
        from the adapter's ``prediction_entropy``."""
        if self.adapter is None or any(m.outputs is None
                                       for m in self.mentors):
            raise ValueError(
                'The mentors\' prediction entropies need the mentors\' '
                'outputs and the task adapter: build the evidence with '
                'ClassroomEvidence.from_errors(..., mentor_outputs=[...], '
                'adapter=adapter), as ClassroomDistiller does.')
        return torch.stack([
            self.adapter.prediction_entropy(m.outputs).detach().float().to(
                self.mentor_errors.device) for m in self.mentors
        ])


class MentorPlan(NamedTuple):
    """What a policy decides for each (mentor, sample) pair.

    Attributes:
        active (Tensor): ``(M, N)`` bool, mentor ``m`` teaches sample ``i``.
        weights (Tensor): ``(M, N)`` distillation weight ``w_m(i)``; zero
            where inactive.
        gaps (Tensor, optional): ``(M, N)`` performance gap ``d_m(i)`` in
            ``[0, 1)`` that the mentoring loss turns into a temperature;
            ``None`` for policies with a fixed temperature.
        student_confidence (Tensor): ``(N,)`` detached ``p_s(i)`` that weights
            the student's task loss on sample ``i``: the student's score for
            ClassroomKD, a constant (1 by default) for the baselines.
    """
    active: Tensor
    weights: Tensor
    gaps: Optional[Tensor]
    student_confidence: Tensor
