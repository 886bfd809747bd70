"""The classroom: the frozen mentors, their bridges, how each runs and which
(mentor, sample) pairs run. See docs/distiller.md."""
import dataclasses
import logging
from typing import Dict, Mapping, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from torch import Tensor

from ..adapters import HeatmapAdapter, SimCCAdapter
from ..bridges.keypoint_mapping import keypoint_names
from ..bridges.mentor_bridge import MentorBridge
from ..bridges.output_space import describe_pose_output
from ..bridges.shared_keypoints import (keypoint_coverage,
                                        shared_keypoint_weights)
from ..structures import NetworkEvaluation
from .mentor_builder import build_mentor, freeze_mentor
from .mentor_checksum import mentor_checksum
from .mentor_error_cache import MentorErrorCache
from .mentor_program import program_options
from .mentor_skipping import (full_batch, no_samples, reprobe_draws,
                              sample_indices, skipped_pairs,
                              skipping_options)
from .program_builder import build_program
from .preprocessor_check import check_same_normalisation


class _HeadOnly(nn.Module):
    """What stays of a mentor whose program holds everything it runs: its
    head, which ``feature_loss`` runs on connected student features."""

    def __init__(self, head: nn.Module):
        super().__init__()
        self.head = head


class Classroom(nn.Module):
    """The mentor side of :class:`ClassroomDistiller`.

    It owns the mentors (frozen, in eval mode), each pose mentor's
    :class:`MentorBridge`, each mentor's program (how it runs:
    :func:`.program_builder.build_program`, built and checked on the first
    batch) and, with ``mentor_skipping``, which (mentor, sample) pairs run.
    :meth:`evaluate` is the one path a training step takes: every mentor
    runs on the rows of its run mask (all rows without skipping) and is
    judged against the student's targets in the student's output space.

    The mentors are not model state: the classroom is held by the distiller
    outside its module tree (not in ``state_dict``, ``parameters()`` or the
    optimizer), deep copies share it (MMEngine's ``EMAHook`` averages the
    student, not the mentors), and its own ``state_dict`` is the skip cache
    only (what an exact resume needs). Once a mentor's program holds all it
    runs (``needs_module`` False), the eager module is freed; its head is
    kept when ``keep_heads`` (CA-MKD's feature term runs it).

    Args:
        mentors (dict): ``{name: entry}``, an entry being a config
            ``dict(model=... | config=..., checkpoint=...,
            keypoint_mapping=...)`` (:func:`.mentor_builder.build_mentor`),
            a built ``nn.Module``, or ``dict(module=<nn.Module>,
            keypoint_mapping=...)`` (as MMRazor's distillers take a built
            teacher).
        student (nn.Module): the built student; every mentor is checked
            against it.
        adapter: the task adapter, bound to the student.
        student_preprocessor (dict, optional): the student's preprocessor
            config, given to mentor configs that name none.
        mentor_runtime (dict, optional): how mentors run
            (:func:`.mentor_program.program_options`).
        mentor_skipping (dict, optional): see :mod:`.mentor_skipping`.
        keep_heads (bool): keep each mentor's head when its module is freed.
    """

    def __init__(self,
                 mentors: Optional[Mapping[str, object]],
                 student: nn.Module,
                 adapter,
                 student_preprocessor: Optional[dict] = None,
                 mentor_runtime: Optional[dict] = None,
                 mentor_skipping: Optional[dict] = None,
                 keep_heads: bool = False):
        super().__init__()
        self.adapter = adapter
        self.options = program_options(mentor_runtime)
        self.skipping = skipping_options(mentor_skipping)
        self.keep_heads = keep_heads
        #: drop a mentor's module once its program holds all it runs
        self.free_modules = True
        self.student_space = None
        if isinstance(adapter, (HeatmapAdapter, SimCCAdapter)):
            self.student_space = describe_pose_output('The student', student)
        self._modules_by_name: Dict[str, nn.Module] = {}
        self._programs: Dict[str, object] = {}
        self._templates: Dict[str, object] = {}
        self._checksums: Dict[str, dict] = {}
        self.bridges = nn.ModuleDict()
        for name, entry in (mentors or {}).items():
            self._add(name, entry, student, student_preprocessor)
        self.names: Tuple[str, ...] = tuple(self._modules_by_name)
        if self.skipping is not None:
            if not self.names:
                raise ValueError('mentor_skipping needs mentors; with no '
                                 'mentors (NoKD) remove it.')
            self.skip_cache = MentorErrorCache(len(self.names))

    def _add(self, name: str, entry, student, student_preprocessor):
        if 'loss' in name:
            raise ValueError(f'Mentor name {name!r} must not contain '
                             '"loss" (it names logged diagnostics).')
        mapping = None
        checkpoint = None
        if isinstance(entry, nn.Module):
            module = freeze_mentor(entry)
        elif isinstance(entry, Mapping) and 'module' in entry:
            unknown = set(entry) - {'module', 'keypoint_mapping'}
            if unknown or not isinstance(entry['module'], nn.Module):
                raise ValueError(
                    f'Mentor {name!r}: a built mentor is an nn.Module or '
                    'dict(module=<an nn.Module>, keypoint_mapping=...); got '
                    f'keys {sorted(entry)}.')
            module = freeze_mentor(entry['module'])
            mapping = entry.get('keypoint_mapping')
        else:
            module = build_mentor(name, entry, student_preprocessor)
            mapping = entry.get('keypoint_mapping')
            checkpoint = entry.get('checkpoint')
        bridge = self._check(name, module, student, mapping)
        self._modules_by_name[name] = module
        self._checksums[name] = mentor_checksum(module, checkpoint)
        if bridge is not None:
            self.bridges[name] = bridge
            print_log(f'ClassroomDistiller: {bridge.describe()}',
                      logger='current')

    def _check(self, name: str, mentor: nn.Module, student: nn.Module,
               keypoint_mapping=None) -> Optional[MentorBridge]:
        """Refuse a mentor that cannot teach the student; for a pose student,
        return the mentor's :class:`MentorBridge` (which refuses, at build,
        what no bridge can bring into the student's output space)."""
        if self.student_space is not None:
            bridge = MentorBridge(
                name, describe_pose_output(f'Mentor {name!r}', mentor),
                self.student_space, keypoint_mapping,
                keypoint_names=(keypoint_names(mentor),
                                keypoint_names(student)))
            check_same_normalisation(name, mentor, student)
            return bridge
        if keypoint_mapping is not None:
            raise ValueError(
                f'Mentor {name!r} has a keypoint_mapping, but the student '
                f'({type(student).__name__}) is no pose estimator. '
                'Remove keypoint_mapping.')
        adapter = self.adapter
        if not adapter.supports(mentor):
            raise ValueError(
                f'Mentor {name!r} ({type(mentor).__name__} with head '
                f'{type(getattr(mentor, "head", None)).__name__}) is not '
                f'supported by {type(adapter).__name__}, which the '
                'student uses: mentors must be the same kind of model '
                '(another task cannot teach it).')
        theirs = adapter.output_signature(mentor)
        ours = adapter.output_signature(student)
        for key in ours.keys() & theirs.keys():
            if ours[key] != theirs[key]:
                raise ValueError(
                    f'Mentor {name!r} predicts {key}={theirs[key]} but the '
                    f'student predicts {key}={ours[key]}. Classifier mentors '
                    "must predict the student's classes: pick mentors "
                    "trained on the student's dataset.")
        check_same_normalisation(name, mentor, student)
        return None

    # ---- what the classroom holds -----------------------------------------
    def __deepcopy__(self, memo):
        # Shared, never copied: an EMA copy of the distiller averages the
        # student and reads the same mentors.
        return self

    def __len__(self) -> int:
        return len(self.names)

    def mentor(self, name: str) -> Optional[nn.Module]:
        """Mentor ``name``'s eager module: None once its program runs it
        alone and it was freed (its head only where ``keep_heads``)."""
        return self._modules_by_name[name]

    def mentors(self) -> Dict[str, nn.Module]:
        """``{name: eager module}`` of the mentors whose module is held."""
        return {name: module for name, module in self._modules_by_name.items()
                if module is not None}

    def bridge(self, name: str) -> Optional[MentorBridge]:
        return self.bridges[name] if name in self.bridges else None

    def program(self, name: str):
        """Mentor ``name``'s built program (None before the first batch)."""
        return self._programs.get(name)

    def use_programs(self, mentor_runtime: Optional[dict] = None,
                     programs: Optional[Dict[str, object]] = None
                     ) -> Dict[str, object]:
        """Run the mentors through programs of ``mentor_runtime`` from the
        next batch on. ``programs``: a dict shared with other classrooms over
        the same mentor modules (benchmarks): the programs built there are
        reused, those built here are added to it. Returns the dict this
        classroom's programs live in. A classroom whose programs are
        switched keeps its mentors' modules from then on (the next programs
        may need them); a module freed before is not brought back."""
        self.free_modules = False
        self.options = program_options(mentor_runtime)
        self._programs = {} if programs is None else programs
        self._templates.clear()
        return self._programs

    def checksums(self) -> Dict[str, dict]:
        """``{name: dict(checkpoint=<file or URL, None for a built module>,
        sha256=...)}``: what a checkpoint records of each mentor."""
        return {name: dict(value) for name, value in self._checksums.items()}

    def _apply(self, fn, *args, **kwargs):
        # A moved or cast mentor needs its program built again.
        for name, module in self._modules_by_name.items():
            if module is not None and not isinstance(module, _HeadOnly):
                module._apply(fn, *args, **kwargs)
                self._programs.pop(name, None)
            elif module is not None:
                module._apply(fn, *args, **kwargs)
        self._templates.clear()
        return super()._apply(fn, *args, **kwargs)

    # ---- running the mentors -------------------------------------------
    def _adapter_forward(self, model: nn.Module, inputs: Tensor):
        # Looked up at every call, so that tools wrapping the adapter's
        # forward (the speed benchmark's probe) see the mentors' passes.
        return self.adapter.forward(model, inputs)

    def run(self, name: str, inputs: Tensor):
        """Mentor ``name``'s ``(outputs, features)`` on the student's
        preprocessed ``inputs``, through its program (built and checked on
        the first call). A pose mentor's bridge runs it on the crop resized
        to its input size and brings its outputs into the student's output
        space (the one place where that happens); its features stay its
        own."""
        program = self._programs.get(name)
        if program is not None:
            outputs, features = program(inputs)
        else:
            bridge = self.bridge(name)
            module = self._modules_by_name[name]
            if module is None or isinstance(module, _HeadOnly):
                raise RuntimeError(
                    f'Mentor {name!r}: its module was freed when its '
                    f'program was built; it runs only through programs '
                    'that hold all they run.')
            forward = (self._adapter_forward if bridge is None else
                       bridge.mentor_forward)
            forward_id = ('adapter ' + type(self.adapter).__name__
                          if bridge is None else
                          f'bridge {bridge.mentor_space!r}')
            program, (outputs, features) = build_program(
                name, module, forward, forward_id, self.options, inputs)
            self._programs[name] = program
        module = self._modules_by_name[name]
        if self.free_modules and not getattr(program, 'needs_module', True) \
                and module is not None and not isinstance(module, _HeadOnly):
            self._modules_by_name[name] = (
                _HeadOnly(module.head) if self.keep_heads else None)
        bridge = self.bridge(name)
        if bridge is not None:
            outputs = bridge.to_student_space(outputs)
        return outputs, features

    def head_outputs(self, name: str, features):
        """Mentor ``name``'s head on ``features`` (e.g. a student feature
        connected to the mentor's), in the student's output space: through
        its bridge for a pose mentor."""
        module = self._modules_by_name[name]
        if module is None:
            raise RuntimeError(
                f'Mentor {name!r}: its module was freed after its program '
                'was built; build the classroom with keep_heads=True to run '
                'its head.')
        bridge = self.bridge(name)
        if bridge is None:
            return self.adapter.head_outputs(module, features)
        return bridge.to_student_space(bridge.head_outputs(module, features))

    def _run_rows(self, name: str, inputs: Tensor, rows: Tensor):
        """Mentor ``name``'s ``(outputs, features)`` on the samples ``rows``
        of ``inputs``, zero on the others. On no sample it runs on none: the
        shapes come from one pass on a zero sample, made once and kept (it
        reads nothing of the batch and records nothing)."""
        size = inputs.shape[0]
        if rows.numel() > 0:
            return full_batch(self.run(name, inputs[rows]), rows, size)
        template = self._templates.get(name)
        if template is None:
            with torch.no_grad():
                probe = self.run(name,
                                 inputs.new_zeros((1, *inputs.shape[1:])))
            template = self._templates[name] = no_samples(probe)
        return full_batch(template, rows, size)

    # ---- the step's one evaluation path ---------------------------------
    def evaluate(self, inputs: Tensor, targets, student: NetworkEvaluation,
                 score_scale=None, data_samples=None
                 ) -> Tuple[Tuple[NetworkEvaluation, ...], Dict[str, Tensor]]:
        """Every mentor's evaluation on the batch, in the student's output
        space, against the student's targets, and the classroom's logs.

        Each mentor runs on the rows of its run mask: every row, or with
        ``mentor_skipping`` the rows it is not skipped on
        (:func:`.mentor_skipping.skipped_pairs`, with KF's ``score_scale``
        of this step); on a skipped pair its error is NaN (inactive in the
        plan) and its outputs and features zero, and
        ``classroom.<name>.skipped_rate`` is logged. The only device read is
        the run mask itself (one per step). A pose mentor whose keypoint
        mapping leaves some student keypoints out is judged on the keypoints
        it shares with the student (weights ``v_mik = w_ik c_mk``), against
        the student's error on the same keypoints
        (docs/heterogeneous_classroom.md)."""
        shares = [self._shared_keypoints(name, targets, student)
                  for name in self.names]
        run = index = None
        if self.skipping is not None:
            run, index = self._run_mask(student, shares, score_scale,
                                        data_samples)
        evaluations = []
        size = inputs.shape[0]
        for m, name in enumerate(self.names):
            rows = None if run is None else run[m].nonzero().flatten()
            if rows is None or rows.numel() == size:
                outputs, features = self.run(name, inputs)
            else:
                outputs, features = self._run_rows(name, inputs,
                                                   rows.to(inputs.device))
            evaluation = self._judge(name, outputs, features, targets,
                                     shares[m])
            if run is not None:
                evaluation = self._record(m, evaluation, index,
                                          run[m].to(inputs.device))
            evaluations.append(evaluation)
        logs = {}
        if run is not None:
            self.skip_cache.count_visit(index)
            skipped = (~run).to(inputs.device)
            logs = {f'classroom.{name}.skipped_rate': skipped[m].float(
            ).mean() for m, name in enumerate(self.names)}
        return tuple(evaluations), logs

    def _judge(self, name: str, outputs, features, targets,
               shared) -> NetworkEvaluation:
        """The evaluation of mentor ``name``'s ``outputs``; ``shared`` is
        what :meth:`_shared_keypoints` gives for that mentor."""
        adapter = self.adapter
        if shared is None:
            return adapter.evaluate_outputs(outputs, features, targets)
        shared_targets, student_errors = shared
        evaluation = adapter.evaluate_outputs(outputs, features,
                                              shared_targets)
        mask = self.bridges[name].keypoint_mask
        return dataclasses.replace(
            evaluation, targets=shared_targets, student_errors=student_errors,
            coverage=keypoint_coverage(targets.keypoint_weights,
                                       mask[None])[0])

    def _shared_keypoints(self, name: str, targets,
                          student: NetworkEvaluation):
        """For a pose mentor that covers some of the student's keypoints:
        the targets restricted to them and the student's errors there
        ``e_s^m(i)``; None for a mentor that covers them all."""
        bridge = self.bridge(name)
        if bridge is None or not bridge.partial:
            return None
        adapter = self.adapter
        shared = targets._replace(keypoint_weights=shared_keypoint_weights(
            targets.keypoint_weights, bridge.keypoint_mask[None])[0])
        student_errors = adapter.per_sample_error(
            adapter.detach(student.outputs), shared)
        student_errors = torch.where(
            student.finite, student_errors,
            torch.full_like(student_errors, float('nan')))
        return shared, student_errors

    # ---- mentor skipping: the run mask -----------------------------------
    def _run_mask(self, student: NetworkEvaluation, shares, score_scale,
                  data_samples) -> Tuple[Tensor, Tensor]:
        """``(M, N)`` host bool: mentor ``m`` runs on sample ``i``; and the
        batch's dataset indices on the cache's device."""
        options, cache = self.skipping, self.skip_cache
        indices = sample_indices(data_samples)
        cache.reserve(indices)
        index = torch.tensor(indices, device=cache.visits.device)
        visits = cache.visits[index]
        skips = []
        for m, shared in enumerate(shares):
            paired = student.errors if shared is None else shared[1]
            probe = reprobe_draws(index, visits, m,
                                  options.seed) < options.reprobe_fraction
            skips.append(skipped_pairs(cache.cached(index, m),
                                       paired.detach().float(), score_scale,
                                       options.margin, probe))
        return ~torch.stack(skips).cpu(), index

    def _record(self, m: int, evaluation: NetworkEvaluation, index: Tensor,
                ran: Tensor) -> NetworkEvaluation:
        """Mark mentor ``m``'s skipped pairs unusable (NaN error; finite, so
        not counted as broken) and cache its errors where it ran."""
        skipped = ~ran
        errors = torch.where(skipped,
                             torch.full_like(evaluation.errors, float('nan')),
                             evaluation.errors)
        cache = self.skip_cache
        cache.record(index.to(cache.errors.device), m,
                     errors.to(cache.errors.device),
                     ran.to(cache.errors.device))
        return dataclasses.replace(evaluation, errors=errors,
                                   finite=evaluation.finite | skipped)


def log_empty_classroom():
    print_log(
        'ClassroomDistiller: the classroom is empty (no mentors), so '
        'the student trains alone (NoKD). To distil, list mentors as '
        '`mentors=dict(<name>=dict(config=..., checkpoint=...))`.',
        logger='current', level=logging.WARNING)
