"""ClassroomDistiller: one student, any number of frozen mentors."""
import copy
import dataclasses
import logging
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..adapters import (AUTO_ADAPTERS, HeatmapAdapter, NetworkEvaluation,
                        SimCCAdapter)
from ..bridges.mentor_bridge import MentorBridge
from ..bridges.output_space import MULTI_STAGE_HEADS, describe_pose_output
from ..bridges.shared_keypoints import (keypoint_coverage,
                                        shared_keypoint_weights)
from ..component_builder import build_component
from ..policies.classroom_evidence import ClassroomEvidence
from .configured_mentors import keep_configured_mentors
from .mentor_builder import build_mentor
from .mentor_error_cache import MentorErrorCache
from .mentor_runtime import MentorRuntime, runtime_options
from .mentor_skipping import (check_skipping_policy, full_batch,
                              no_samples, reprobe_draws, sample_indices,
                              skipped_pairs, skipping_options)
from .preprocessor_check import check_same_normalisation


@MODELS.register_module()
class ClassroomDistiller(BaseModel):
    """Multi-mentor knowledge distillation (ClassroomKD) around any mmpretrain
    classifier or mmpose top-down estimator.

    A training step packs the ground truth once, evaluates the student and
    every mentor once (outputs, features, per-sample errors, finite mask:
    :meth:`BaseTaskAdapter.evaluate`), hands the evaluations to the policy as
    one :class:`ClassroomEvidence`, and from the policy's plan (active mask
    ``a``, weights ``w``, gaps ``d``, student confidence ``p_s``) computes::

        L = mean_i[p_s(i) * L_task(i)]
            + lambda * mean_i[sum_m a_m(i) w_m(i) T_m(i)^2 D(s_i, m_i; T_m(i))]

    with ``T_m(i) = T0 + tau * d_m(i)``, plus the ``feature_loss`` term when
    one is configured. ``predict`` and ``tensor`` modes are the bare
    student's.

    Args:
        student (dict): the student's model config.
        mentors (dict): ``{name: dict(model=<model cfg> | config=<file>,
            checkpoint=<path or URL>)}``; empty or None trains the student
            alone (NoKD).
        policy (dict): mentor-selection policy; ``KnowledgeFilter`` is
            ClassroomKD.
        mentoring (dict): ``MentoringLoss`` config (``tau``,
            ``base_temperature``, ``loss_weight``, ``divergence``).
        adapter (dict, optional): task adapter; chosen from the student's
            head when None.
        connectors (dict, optional): ``{mentor name: connector config}``,
            e.g. ``dict(type='ConvConnector', in_channels=128,
            out_channels=512)``: trainable maps from the student's feature to
            that mentor's, used by ``feature_loss``. They train with the
            student and are not part of its checkpoint.
        feature_loss (dict, optional): a feature-level term, e.g.
            ``dict(type='FeatureMSELoss', weighting='camkd')`` (CA-MKD's),
            logged as ``distill.loss_feature``.
        data_preprocessor (dict, optional): the config's top-level data
            preprocessor (the Runner passes it); used as the student's when
            the student config has none. The student's preprocessor is the
            distiller's: mentors see the student's preprocessed batch.
        mentor_runtime (dict, optional): how frozen mentors run
            (:class:`~.mentor_runtime.RuntimeOptions`): ``fold_bn`` (fold
            BatchNorm into the convolution before it), ``channels_last``,
            ``compile`` (``torch.compile``), ``precision`` ('fp32', 'bf16'
            on a GPU or a CPU with bf16 kernels, 'fp16' on CUDA),
            ``cast_weights`` (the program holds its
            weights in that precision) and ``tolerance``; or
            ``engine='onnxruntime'`` / ``'openvino'`` (``'auto'``:
            onnxruntime where installed), each mentor exported to ONNX
            once (cached in ``cache_dir``, default
            ``<work_dir>/mentor_engine``) and run on that engine,
            ``precision='bf16'`` with OpenVINO on a CPU with bf16.
            Default: every option off (the eager mentors); the options are
            opt-in because
            they change the mentors' outputs by rounding and, for
            ``cast_weights``, hold a copy of the weights
            (docs/performance.md). The mentor modules and the
            checkpoints keep their original form; each mentor's program is
            built and checked against it on the first training batch.
        mentor_skipping (dict, optional): ``dict(margin=1.0,
            reprobe_fraction=0.1, seed=0)`` skips a mentor's forward on the
            samples where its error, measured the last time the sample was
            seen, was worse than the student's by more than ``margin`` (in
            KF's log-score units), re-probing a ``reprobe_fraction`` of the
            pairs per epoch (:mod:`.mentor_skipping`); logs
            ``classroom.<name>.skipped_rate``. KnowledgeFilter only. Default
            None: every mentor runs on every sample.
    """

    def __init__(self,
                 student: dict,
                 mentors: Optional[Dict[str, dict]] = None,
                 policy: dict = dict(type='KnowledgeFilter'),
                 mentoring: dict = dict(type='MentoringLoss'),
                 adapter: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 mentor_runtime: Optional[dict] = None,
                 mentor_skipping: Optional[dict] = None,
                 connectors: Optional[Dict[str, dict]] = None,
                 feature_loss: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        student = copy.deepcopy(dict(student))
        if data_preprocessor is not None:
            # The Runner passes the config's top-level `data_preprocessor`
            # here; it is the student's unless the student names its own.
            student.setdefault('data_preprocessor', data_preprocessor)
        self.student = MODELS.build(student)
        self.data_preprocessor = self.student.data_preprocessor
        self.adapter = self._build_adapter(adapter)
        self.adapter.bind(self.student)
        self.student_space = None
        if isinstance(self.adapter, (HeatmapAdapter, SimCCAdapter)):
            self.student_space = describe_pose_output('The student',
                                                      self.student)

        self.mentors = nn.ModuleDict()
        self.bridges = nn.ModuleDict()
        for name, mentor_cfg in (mentors or {}).items():
            if 'loss' in name:
                raise ValueError(f'Mentor name {name!r} must not contain '
                                 '"loss" (it names logged diagnostics).')
            mentor = build_mentor(name, mentor_cfg,
                                  student.get('data_preprocessor'))
            bridge = self._check_mentor(name, mentor,
                                        mentor_cfg.get('keypoint_mapping'))
            self.mentors[name] = mentor
            if bridge is not None:
                self.bridges[name] = bridge
                print_log(f'ClassroomDistiller: {bridge.describe()}',
                          logger='current')
        if not self.mentors:
            print_log(
                'ClassroomDistiller: the classroom is empty (no mentors), so '
                'the student trains alone (NoKD). To distil, list mentors as '
                '`mentors=dict(<name>=dict(config=..., checkpoint=...))`.',
                logger='current', level=logging.WARNING)
        keep_configured_mentors(self)

        self.mentor_runtime = runtime_options(mentor_runtime)
        # Held outside the module tree: state_dict, DDP and the optimizer
        # see the mentors in their original form.
        self._runtimes: Dict[str, MentorRuntime] = {}
        self.register_load_state_dict_post_hook(
            lambda module, keys: module._runtimes.clear())

        self.policy = build_component(policy, 'policy')
        mentoring = dict(mentoring)
        if mentoring.get('divergence') is None:
            mentoring['divergence'] = self.adapter.default_divergence
        self.mentoring = build_component(mentoring, 'mentoring')
        self.connectors, self.feature_loss = self._build_feature_term(
            connectors, feature_loss)
        self.mentor_skipping = skipping_options(mentor_skipping)
        if self.mentor_skipping is not None:
            if not self.mentors:
                raise ValueError('mentor_skipping needs mentors; with no '
                                 'mentors (NoKD) remove it.')
            check_skipping_policy(self.policy, self.feature_loss)
            # In the full checkpoint, not in the student-only file.
            self.skip_cache = MentorErrorCache(len(self.mentors))
            self._mentor_output_shapes = {}

    def _build_feature_term(self, connectors, feature_loss):
        connectors = dict(connectors or {})
        unknown = sorted(set(connectors) - set(self.mentors))
        if unknown:
            raise ValueError(
                f'ClassroomDistiller: connectors for {unknown}, which are not '
                f'mentors (mentors: {sorted(self.mentors)}); key each '
                'connector by the name of the mentor it maps to.')
        if connectors and feature_loss is None:
            raise ValueError(
                'ClassroomDistiller: connectors are given but no '
                'feature_loss uses them; add e.g. '
                "feature_loss=dict(type='FeatureMSELoss'), or drop them.")
        if feature_loss is not None and not self.mentors:
            raise ValueError(
                'ClassroomDistiller: a feature_loss needs mentors; with no '
                'mentors (NoKD) drop feature_loss.')
        built = nn.ModuleDict({
            name: build_component(cfg, 'connector')
            for name, cfg in connectors.items()
        })
        return built, (None if feature_loss is None else build_component(
            feature_loss, 'feature_loss'))

    def _build_adapter(self, adapter_cfg):
        if adapter_cfg is not None:
            adapter = build_component(adapter_cfg, 'adapter')
            if not adapter.supports(self.student):
                raise ValueError(
                    f'{type(adapter).__name__} does not support the student '
                    f'{type(self.student).__name__} with head '
                    f'{type(getattr(self.student, "head", None)).__name__}.')
            return adapter
        for name in AUTO_ADAPTERS:
            adapter_cls = MODELS.get(f'classroomkd_mm.{name}')
            if adapter_cls is not None and adapter_cls.supports(self.student):
                return adapter_cls()
        head = getattr(self.student, 'head', None)
        why = ''
        if type(head).__name__ in MULTI_STAGE_HEADS:
            why = (f' {type(head).__name__} (CPM, Hourglass, MSPN, RSN) is '
                   'multi-stage: its loss sums over every stage, which the '
                   "distiller's per-sample weighting of the head's loss does "
                   'not reproduce. Such models can be mentors (their final '
                   'stage teaches), not students.')
        raise ValueError(
            f'ClassroomDistiller: unsupported student '
            f'{type(self.student).__name__} with head '
            f'{type(head).__name__}.{why} Supported: mmpretrain '
            'ImageClassifier with a single-label ClsHead-family head (or a '
            'MultiLabelClsHead trained with a softmax CrossEntropyLoss, as '
            "mmpretrain's mixup configs), mmpose TopdownPoseEstimator with a "
            'HeatmapHead-family head or an RTMCCHead/SimCCHead (SimCC). Use '
            'one of those heads, or pass `adapter=` with a custom adapter '
            'for this head.')

    def _check_mentor(self, name: str, mentor: nn.Module,
                      keypoint_mapping=None) -> Optional[MentorBridge]:
        """Refuse a mentor that cannot teach the student; for a pose student,
        return the mentor's :class:`MentorBridge` (which refuses, at build,
        what no bridge can bring into the student's output space)."""
        if self.student_space is not None:
            bridge = MentorBridge(
                name, describe_pose_output(f'Mentor {name!r}', mentor),
                self.student_space, keypoint_mapping)
            check_same_normalisation(name, mentor, self.student)
            return bridge
        if keypoint_mapping is not None:
            raise ValueError(
                f'Mentor {name!r} has a keypoint_mapping, but the student '
                f'({type(self.student).__name__}) is no pose estimator. '
                'Remove keypoint_mapping.')
        if not self.adapter.supports(mentor):
            raise ValueError(
                f'Mentor {name!r} ({type(mentor).__name__} with head '
                f'{type(getattr(mentor, "head", None)).__name__}) is not '
                f'supported by {type(self.adapter).__name__}, which the '
                'student uses: mentors must be the same kind of model '
                '(another task cannot teach it).')
        theirs = self.adapter.output_signature(mentor)
        ours = self.adapter.output_signature(self.student)
        for key in ours.keys() & theirs.keys():
            if ours[key] != theirs[key]:
                raise ValueError(
                    f'Mentor {name!r} predicts {key}={theirs[key]} but the '
                    f'student predicts {key}={ours[key]}. Classifier mentors '
                    "must predict the student's classes: pick mentors "
                    "trained on the student's dataset.")
        check_same_normalisation(name, mentor, self.student)
        return None

    def _apply(self, fn, *args, **kwargs):
        # Moved or cast mentors need new programs (and output templates).
        if hasattr(self, '_runtimes'):
            self._runtimes.clear()
        if hasattr(self, '_mentor_output_shapes'):
            self._mentor_output_shapes.clear()
        return super()._apply(fn, *args, **kwargs)

    def mentor_forward(self, name: str, inputs: Tensor):
        """Mentor ``name``'s ``(outputs, features)`` on ``inputs`` (see
        :meth:`BaseTaskAdapter.forward`), through its runtime program (see
        ``mentor_runtime``). A pose mentor's bridge runs it on the crop
        resized to its input size and brings its outputs into the student's
        output space (the one place where that happens); its features stay
        its own."""
        mentor = self.mentors[name]
        bridge = self.bridges[name] if name in self.bridges else None
        forward = (self._adapter_forward if bridge is None else
                   bridge.mentor_forward)
        if not self.mentor_runtime.converts:
            outputs, features = forward(mentor, inputs)
        else:
            runtime = self._runtimes.get(name)
            if runtime is None or runtime.mentor is not mentor:
                runtime = self._runtimes[name] = MentorRuntime(
                    name, mentor, self.mentor_runtime, forward,
                    forward_id=('adapter ' + type(self.adapter).__name__
                                if bridge is None else
                                f'bridge {bridge.mentor_space!r}'))
            outputs, features = runtime(inputs)
        if bridge is not None:
            outputs = bridge.to_student_space(outputs)
        return outputs, features

    def _adapter_forward(self, model: nn.Module, inputs: Tensor):
        # Looked up at every call, so that tools wrapping the adapter's
        # forward (the speed benchmark's probe) see the mentors' passes.
        return self.adapter.forward(model, inputs)

    # ---- modes -----------------------------------------------------------
    def train(self, mode: bool = True):
        """Mentors stay in eval mode whatever ``mode`` is."""
        super().train(mode)
        self.mentors.eval()
        return self

    def forward(self, inputs: Tensor, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode.')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        adapter = self.adapter
        if not self.mentors:
            outputs, _ = adapter.forward(self.student, inputs)
            targets = adapter.targets(data_samples, inputs.device)
            return self._prefixed(
                adapter.student_losses(self.student, outputs, targets,
                                       data_samples), 'student.')

        targets = adapter.targets(data_samples, inputs.device)
        student = adapter.evaluate(self.student, inputs, targets)
        skipped = None
        with torch.no_grad():
            score_scale = adapter.score_scale(student.errors)
            if self.mentor_skipping is None:
                mentors = tuple(
                    self._evaluate_mentor(name, inputs, targets, student)
                    for name in self.mentors)
            else:
                mentors, skipped = self._evaluate_mentors_skipping(
                    inputs, targets, student, score_scale, data_samples)
            evidence = ClassroomEvidence(student, mentors, targets,
                                         score_scale, adapter)
            plan = self.policy(evidence)

        losses = self._prefixed(
            adapter.student_losses(self.student, student.outputs, targets,
                                   data_samples, plan.student_confidence),
            'student.')
        mentoring = self.mentoring(evidence, plan)
        losses['distill.loss_mentoring'] = mentoring['loss_mentoring']
        if self.feature_loss is not None:
            losses['distill.loss_feature'] = self.feature_loss(
                evidence, plan, self.connectors, self.mentors)
        losses.update(
            self._diagnostics(plan, mentoring['temperatures'], mentors))
        if skipped is not None:
            for m, name in enumerate(self.mentors.keys()):
                losses[f'classroom.{name}.skipped_rate'] = \
                    skipped[m].float().mean()
        return losses

    def _evaluate_mentor(self, name: str, inputs: Tensor, targets,
                         student: NetworkEvaluation) -> NetworkEvaluation:
        """Mentor ``name``'s evaluation, in the student's output space
        (:meth:`mentor_forward`), against the student's own targets. A pose
        mentor whose keypoint mapping leaves some student keypoints out is
        judged on the keypoints it shares with the student (weights ``v_mik
        = w_ik c_mk``), and the student's error for comparing with it is
        taken on the same keypoints; see docs/heterogeneous_classroom.md."""
        outputs, features = self.mentor_forward(name, inputs)
        return self._judge_mentor(
            name, outputs, features, targets,
            self._shared_keypoints(name, targets, student))

    def _judge_mentor(self, name: str, outputs, features, targets,
                      shared) -> NetworkEvaluation:
        """The evaluation of mentor ``name``'s ``outputs`` (see
        :meth:`_evaluate_mentor`); ``shared`` is what
        :meth:`_shared_keypoints` gives for that mentor."""
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
        bridge = self.bridges[name] if name in self.bridges else None
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

    def _evaluate_mentors_skipping(self, inputs: Tensor, targets,
                                   student: NetworkEvaluation, score_scale,
                                   data_samples):
        """Every mentor's evaluation with ``mentor_skipping``: each mentor
        runs on the sub-batch of the samples it is not skipped on
        (:func:`.mentor_skipping.skipped_pairs`); on the others its errors
        are NaN (inactive in the plan) and its outputs zero. Returns the
        evaluations and the ``(M, N)`` skipped mask. The only device read is
        the mask itself (one per step: the sub-batch sizes)."""
        options, cache = self.mentor_skipping, self.skip_cache
        indices = sample_indices(data_samples)
        cache.reserve(indices)
        index = torch.tensor(indices, device=cache.visits.device)
        visits = cache.visits[index]
        if self.policy.score_scale is not None:
            score_scale = self.policy.score_scale
        shares = [self._shared_keypoints(name, targets, student)
                  for name in self.mentors]
        skips = []
        for m, shared in enumerate(shares):
            paired = student.errors if shared is None else shared[1]
            probe = reprobe_draws(index, visits, m,
                                  options.seed) < options.reprobe_fraction
            skips.append(skipped_pairs(cache.cached(index, m),
                                       paired.detach().float(), score_scale,
                                       options.margin, probe))
        run = ~torch.stack(skips).cpu()
        skipped = (~run).to(inputs.device)
        size = inputs.shape[0]
        evaluations = []
        for m, name in enumerate(self.mentors.keys()):
            rows = run[m].nonzero().flatten().to(inputs.device)
            if rows.numel() == size:
                outputs, _ = self.mentor_forward(name, inputs)
            else:
                outputs = self._mentor_rows(name, inputs, rows)
            evaluation = self._judge_mentor(name, outputs, (), targets,
                                            shares[m])
            errors = torch.where(skipped[m],
                                 torch.full_like(evaluation.errors,
                                                 float('nan')),
                                 evaluation.errors)
            evaluations.append(dataclasses.replace(
                evaluation, errors=errors,
                finite=evaluation.finite | skipped[m]))
            cache.record(index.to(cache.errors.device), m,
                         errors.to(cache.errors.device),
                         (~skipped[m]).to(cache.errors.device))
        cache.count_visit(index)
        return tuple(evaluations), skipped

    def _mentor_rows(self, name: str, inputs: Tensor, rows: Tensor):
        """Mentor ``name``'s outputs on the samples ``rows`` of ``inputs``,
        zero on the others. Skipped on every sample, it runs on none: the
        shape of its outputs comes from one pass on a zero sample, made once
        and kept (it reads nothing of the batch and records nothing)."""
        size = inputs.shape[0]
        if rows.numel() > 0:
            return full_batch(self.mentor_forward(name, inputs[rows])[0],
                              rows, size)
        template = self._mentor_output_shapes.get(name)
        if template is None:
            with torch.no_grad():
                probe, _ = self.mentor_forward(
                    name, inputs.new_zeros((1, *inputs.shape[1:])))
            template = self._mentor_output_shapes[name] = no_samples(probe)
        return full_batch(template, rows, size)

    @staticmethod
    def _prefixed(losses: dict, prefix: str) -> dict:
        return {prefix + k: v for k, v in losses.items()}

    def _diagnostics(self, plan, temperatures: Tensor,
                     mentors: Sequence[NetworkEvaluation]
                     ) -> Dict[str, Tensor]:
        """Per mentor: the share of samples where it is active, its mean
        temperature over those samples (0 when it is active on none), and
        the share of samples where its output was NaN or inf (``broken_rate``;
        it is inactive there). No host-device sync: the Runner reads them
        after the step."""
        logs = {}
        for m, name in enumerate(self.mentors.keys()):
            active = plan.active[m].float()
            logs[f'classroom.{name}.active_rate'] = active.mean()
            logs[f'classroom.{name}.broken_rate'] = \
                1 - mentors[m].finite.float().mean()
            logs[f'classroom.{name}.temperature'] = (
                temperatures[m] * active).sum() / active.sum().clamp_min(1)
        logs['classroom.student_confidence'] = \
            plan.student_confidence.float().mean()
        return logs

    # ---- what host tools read from a model --------------------------------
    @property
    def head(self):
        return self.student.head

    @property
    def test_cfg(self):
        return getattr(self.student, 'test_cfg', None)

    @property
    def metainfo(self):
        return getattr(self.student, 'metainfo', None)

    @property
    def dataset_meta(self):
        return getattr(self.student, 'dataset_meta', None)
