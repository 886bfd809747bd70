"""Where a distiller step spends its time: an optional probe that wraps the
distiller's collaborators for the span of a ``with`` block.

The distiller's code is not touched (its hot path has no timing code): the
probe replaces, on one distiller instance, the policy, the mentoring loss,
the diagnostics and the adapter's methods by timed wrappers, and restores
them on exit. Categories:

- ``forward.student`` / ``forward.mentors``: ``adapter.forward`` (the first
  call of a step is the student's);
- ``student_losses``: the student's own task loss (its host head);
- ``ranking``: ground-truth packing, judging every network's outputs
  (per-sample errors, finite checks), the score scale and the policy;
- ``mentoring``: the mentoring loss forward; its backward is measured by
  :meth:`SubstepProbe.replay_mentoring` (the same call on the same tensors,
  forward and backward to the student's head output);
- ``diagnostics``: the logged per-mentor activation rates and temperatures;
- ``bridge``: a pose mentor's bridge (``MentorBridge``): the student's crop
  resized to the mentor's input size (``resize_crop``) and the mentor's
  outputs brought into the student's output space (``to_student_space``).
  A bridged mentor's pass (``MentorBridge.mentor_forward``) counts as
  ``forward.mentors``; the crop resize inside it is timed as ``bridge``
  too, and taken out of ``forward.mentors``.

Only the outermost wrapped call is timed, but for the crop resize. On CUDA
every wrapped call synchronises, so use the probe in its own pass, never in
timed iterations.
Times are :func:`~.timing.clock` seconds (process CPU time on the CPU).
"""
import dataclasses
from collections import defaultdict

import torch

from .timing import clock, synchronize

RANKING = ('targets', 'evaluate_outputs', 'score_scale')
OVERHEAD = ('ranking', 'mentoring', 'diagnostics')


class SubstepProbe:

    def __init__(self, distiller, device='cpu'):
        self.distiller = distiller
        self.device = device
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)
        self._depth = 0
        self._current = None
        self._forwards = 0
        self._saved = []
        self.last_mentoring_args = None

    # ---- wrapping --------------------------------------------------------
    def _timed(self, category, fn, inside=False):
        """``fn`` timed as ``category`` when it is the outermost wrapped
        call; with ``inside``, also when nested, its time then taken out of
        the category of the call that contains it."""
        def wrapper(*args, **kwargs):
            nested = self._depth > 0
            if nested and not inside:
                return fn(*args, **kwargs)
            outer, self._depth = self._current, self._depth + 1
            synchronize(self.device)
            start = clock(self.device)
            try:
                name = category() if callable(category) else category
                self._current = name
                return fn(*args, **kwargs)
            finally:
                synchronize(self.device)
                spent = clock(self.device) - start
                self.seconds[name] += spent
                self.calls[name] += 1
                if nested:
                    self.seconds[outer] -= spent
                self._current, self._depth = outer, self._depth - 1
        return wrapper

    def _patch(self, owner, attr, wrapper):
        self._saved.append((owner, attr, owner.__dict__.get(attr, _MISSING)))
        setattr(owner, attr, wrapper)

    def __enter__(self):
        d = self.distiller
        adapter = d.adapter
        for name in RANKING:
            self._patch(adapter, name,
                        self._timed('ranking', getattr(adapter, name)))
        self._patch(adapter, 'student_losses',
                    self._timed('student_losses', adapter.student_losses))

        def forward_category():
            self._forwards += 1
            return 'forward.student' if self._forwards % (
                len(d.classroom.names) + 1) == 1 else 'forward.mentors'

        self._patch(adapter, 'forward',
                    self._timed(forward_category, adapter.forward))
        bridges = d.classroom.bridges
        if len(bridges):
            from classroomkd_mm.models.bridges import mentor_bridge
            self._patch(mentor_bridge, 'resize_crop', self._timed(
                'bridge', mentor_bridge.resize_crop, inside=True))
        for bridge in bridges.values():
            self._patch(bridge, 'mentor_forward', self._timed(
                'forward.mentors', bridge.mentor_forward))
            self._patch(bridge, 'to_student_space', self._timed(
                'bridge', bridge.to_student_space))
        policy, mentoring = d.policy, d.mentoring
        mentoring_forward = mentoring.forward

        def capture_mentoring(evidence, plan):
            self.last_mentoring_args = (evidence, plan)
            return mentoring_forward(evidence, plan)

        self._patch(d, 'policy', self._timed('ranking', policy))
        # an nn.Module attribute: its forward is wrapped instead
        self._patch(mentoring, 'forward',
                    self._timed('mentoring', capture_mentoring))
        self._patch(d, '_diagnostics',
                    self._timed('diagnostics', d._diagnostics))
        return self

    def __exit__(self, *exc):
        for owner, attr, old in reversed(self._saved):
            if old is _MISSING:
                delattr(owner, attr)
            else:
                setattr(owner, attr, old)
        self._saved.clear()
        return False

    # ---- measuring -------------------------------------------------------
    def replay_mentoring(self, repeats: int = 3) -> float:
        """Median seconds of the last step's mentoring loss, forward and
        backward to the student's head output, on the same tensors."""
        if self.last_mentoring_args is None:
            return 0.0
        evidence, plan = self.last_mentoring_args
        student_out = evidence.student.outputs
        mentoring = self.distiller.mentoring
        times = []
        for _ in range(repeats):
            if isinstance(student_out, torch.Tensor):
                leaf = student_out.detach().clone().requires_grad_(True)
            else:
                leaf = tuple(o.detach().clone().requires_grad_(True)
                             for o in student_out)
            replay = dataclasses.replace(
                evidence,
                student=dataclasses.replace(evidence.student, outputs=leaf))
            synchronize(self.device)
            start = clock(self.device)
            loss = mentoring(replay, plan)['loss_mentoring']
            loss.backward()
            synchronize(self.device)
            times.append(clock(self.device) - start)
        return sorted(times)[len(times) // 2]


_MISSING = object()


def probe_step(case, steps: int = 3, device='cpu') -> dict:
    """Run ``steps`` instrumented steps of a distiller ``case``; returns the
    median seconds per step of every category, of the mentoring backward
    replay and of the whole step (medians: a shared CPU preempts now and
    then)."""
    import statistics

    from .timing import time_once
    per_step = []
    for _ in range(steps):
        probe = SubstepProbe(case.distiller, device)
        with probe:
            total = time_once(case.run, device)
            row = dict(probe.seconds)
            row['mentoring_fwd_bwd'] = probe.replay_mentoring()
            row['step'] = total
        per_step.append(row)
    keys = set().union(*per_step)
    out = {k: statistics.median(r.get(k, 0.0) for r in per_step)
           for k in keys}
    out['overhead'] = (out.get('ranking', 0.0) + out['mentoring_fwd_bwd'] +
                       out.get('diagnostics', 0.0))
    out['overhead_share'] = out['overhead'] / out['step']
    out['bridge_share'] = out.get('bridge', 0.0) / out['step']
    return out
