"""ClassroomDistiller: one student, any number of frozen mentors."""
import copy
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from torch import Tensor

from classroomkd_mm.registry import MODELS
from ..adapters import AUTO_ADAPTERS
from ..bridges.output_space import MULTI_STAGE_HEADS
from ..classroom import Classroom, log_empty_classroom
from ..classroom.mentor_skipping import check_skipping_policy
from ..component_builder import build_component
from ..structures import ClassroomEvidence
from .checkpoint_layout import load_into_distiller, student_at_top_level


@MODELS.register_module()
class ClassroomDistiller(BaseModel):
    """Multi-mentor knowledge distillation (ClassroomKD) around any mmpretrain
    classifier or mmpose top-down estimator.

    A training step packs the ground truth once, evaluates the student, asks
    the :class:`Classroom` for every mentor's evaluation (one path; mentor
    skipping is its run mask), hands them to the policy as one
    :class:`ClassroomEvidence`, and from the policy's plan (active mask
    ``a``, weights ``w``, gaps ``d``, student confidence ``p_s``) computes::

        L = mean_i[p_s(i) * L_task(i)]
            + lambda * mean_i[sum_m a_m(i) w_m(i) T_m(i)^2 D(s_i, m_i; T_m(i))]

    with ``T_m(i) = T0 + tau * d_m(i)``, plus the ``feature_loss`` term when
    one is configured. ``predict`` and ``tensor`` modes are the bare
    student's. The mentors are not model state: the state dict holds the
    student under its own names, the connectors and the classroom's skip
    cache (:mod:`.checkpoint_layout`); docs/distiller.md has the details.

    Args:
        student (dict): the student's model config.
        mentors (dict, optional): ``{name: entry}``, see :class:`Classroom`
            (configs with ``checkpoint=``, or built modules); empty or None
            trains the student alone (NoKD).
        policy (dict): mentor-selection policy; ``KnowledgeFilter`` is
            ClassroomKD.
        mentoring (dict): ``MentoringLoss`` config.
        adapter (dict, optional): task adapter; chosen from the student's
            head when None.
        data_preprocessor (dict, optional): the config's top-level data
            preprocessor, the student's unless it names its own; mentors see
            the student's preprocessed batch.
        mentor_runtime (dict, optional): how mentors run (docs/performance.md).
        mentor_skipping (dict, optional): ``dict(margin=1.0,
            reprobe_fraction=0.1, seed=0)``: skip a mentor on the samples
            where it was behind the student (KnowledgeFilter only).
        connectors (dict, optional): ``{mentor name: connector config}``,
            trainable maps from the student's feature to that mentor's.
        feature_loss (dict, optional): a feature-level term, e.g.
            ``dict(type='FeatureMSELoss', weighting='camkd')``.
    """

    def __init__(self,
                 student: dict,
                 mentors: Optional[Dict[str, object]] = None,
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
            student.setdefault('data_preprocessor', data_preprocessor)
        self.student = MODELS.build(student)
        self.data_preprocessor = self.student.data_preprocessor
        self.adapter = self._build_adapter(adapter)
        self.adapter.bind(self.student)
        # Outside the module tree: not in state_dict, parameters() or the
        # optimizer; shared, not copied, by deep copies (EMAHook).
        self.__dict__['classroom'] = Classroom(
            mentors, self.student, self.adapter,
            student.get('data_preprocessor'), mentor_runtime,
            mentor_skipping, keep_heads=feature_loss is not None)
        if not self.classroom.names:
            log_empty_classroom()
        self.policy = build_component(policy, 'policy')
        mentoring = dict(mentoring)
        if mentoring.get('divergence') is None:
            mentoring['divergence'] = self.adapter.default_divergence
        self.mentoring = build_component(mentoring, 'mentoring')
        self.connectors, self.feature_loss = self._build_feature_term(
            connectors, feature_loss)
        if self.classroom.skipping is not None:
            check_skipping_policy(self.policy, self.feature_loss)
        self._register_state_dict_hook(student_at_top_level)
        self.register_load_state_dict_pre_hook(load_into_distiller)

    def _build_feature_term(self, connectors, feature_loss):
        connectors = dict(connectors or {})
        names = self.classroom.names
        unknown = sorted(set(connectors) - set(names))
        if unknown:
            raise ValueError(
                f'ClassroomDistiller: connectors for {unknown}, which are not '
                f'mentors (mentors: {sorted(names)}); key each '
                'connector by the name of the mentor it maps to.')
        if connectors and feature_loss is None:
            raise ValueError(
                'ClassroomDistiller: connectors are given but no '
                'feature_loss uses them; add e.g. '
                "feature_loss=dict(type='FeatureMSELoss'), or drop them.")
        if feature_loss is not None and not names:
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

    def _apply(self, fn, *args, **kwargs):
        self.classroom._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    def forward(self, inputs: Tensor, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode.')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        adapter = self.adapter
        targets = adapter.targets(data_samples, inputs.device)
        if not self.classroom.names:
            outputs, _ = adapter.forward(self.student, inputs)
            return self._prefixed(
                adapter.student_losses(self.student, outputs, targets,
                                       data_samples), 'student.')
        student = adapter.evaluate(self.student, inputs, targets)
        with torch.no_grad():
            score_scale = adapter.score_scale(student.errors)
            policy_scale = getattr(self.policy, 'score_scale', None)
            mentors, logs = self.classroom.evaluate(
                inputs, targets, student, score_scale
                if policy_scale is None else policy_scale, data_samples)
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
                evidence, plan, self.connectors, self.classroom)
        losses.update(self._diagnostics(plan, mentoring['temperatures'],
                                        mentors))
        losses.update(logs)
        return losses

    @staticmethod
    def _prefixed(losses: dict, prefix: str) -> dict:
        return {prefix + k: v for k, v in losses.items()}

    def _diagnostics(self, plan, temperatures: Tensor,
                     mentors) -> Dict[str, Tensor]:
        """Per mentor: the share of samples where it is active, its mean
        temperature over those samples (0 when it is active on none), and
        the share of samples where its output was NaN or inf (``broken_rate``;
        it is inactive there). No host-device sync: the Runner reads them
        after the step."""
        logs = {}
        for m, name in enumerate(self.classroom.names):
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
