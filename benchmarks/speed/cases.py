"""What the speed benchmark runs: one callable per measured step.

- ``student``: the student's plain training step (``train_step``: data
  preprocessing, forward, loss, backward, SGD update), as MMEngine runs it;
- ``mentor:<name>``: one mentor's inference pass alone (tensor mode under
  ``torch.no_grad()`` on the preprocessed batch), as the distiller runs it;
  a bridged pose mentor (another input size, head or keypoint set) on the
  batch already resized to its input size, without the bridge's work, which
  the distiller's step then adds;
- ``classroomkd@k`` / ``aver@k``: the full ``ClassroomDistiller.train_step``
  with the first ``k`` mentors and the KnowledgeFilter + MentoringLoss
  (ClassroomKD) or AverageMentors (AVER, T=4) policy.

Mentor modules are built once, through the distiller's own constructor
(checkpoint loading, freezing, checks), and shared by the distillers of every
``k`` and policy, so that memory holds each mentor once.
"""
import copy
from typing import Callable, Dict, List, NamedTuple, Optional

import torch
import torch.nn as nn

from .mentor_programs import held_tensors
from .settings import Setting

POLICIES = {
    'classroomkd': (dict(type='KnowledgeFilter'),
                    dict(type='MentoringLoss', tau=12.0)),
    'aver': (dict(type='AverageMentors'),
             dict(type='MentoringLoss', tau=0.0, base_temperature=4.0)),
}
OPTIMIZER = dict(optimizer=dict(type='SGD', lr=1e-3, momentum=0.9,
                                weight_decay=1e-4))


class Case(NamedTuple):
    """One measured step.

    ``run()`` performs one step; ``persistent`` lists the tensors that live
    across steps (weights, buffers, optimizer state) for the memory account;
    ``distiller``/``optim_wrapper`` are set for distiller steps.
    """
    name: str
    kind: str  # 'student' | 'mentor' | 'distiller'
    run: Callable[[], object]
    persistent: Callable[[], List[torch.Tensor]]
    num_mentors: int = 0
    policy: Optional[str] = None
    distiller: Optional[nn.Module] = None
    optim_wrapper: Optional[object] = None
    batch: Optional[dict] = None


def tensor_bytes(tensors) -> int:
    """Bytes of the distinct storages behind ``tensors``."""
    seen, total = set(), 0
    for t in tensors:
        if not isinstance(t, torch.Tensor):
            continue
        storage = t.untyped_storage()
        key = storage.data_ptr(), t.device
        if key not in seen:
            seen.add(key)
            total += storage.nbytes()
    return total


def _state_tensors(module: nn.Module, optim_wrapper=None) -> List:
    tensors = list(module.parameters()) + list(module.buffers())
    if optim_wrapper is not None:
        for state in optim_wrapper.optimizer.state.values():
            tensors += [v for v in state.values()
                        if isinstance(v, torch.Tensor)]
    return tensors


def _optim_wrapper(model: nn.Module):
    from mmengine.optim import build_optim_wrapper
    return build_optim_wrapper(model, copy.deepcopy(OPTIMIZER))


def _to_device(batch: dict, device) -> dict:
    return dict(inputs=[x.to(device) for x in batch['inputs']],
                data_samples=[s.to(device) for s in batch['data_samples']])


def build_cases(setting: Setting, mentor_counts, policies=('classroomkd',
                                                           'aver'),
                device='cpu', seed: int = 0) -> List[Case]:
    """Every case of ``setting``: the student step, each mentor's pass and a
    distiller step per policy and mentor count."""
    from classroomkd_mm.models import ClassroomDistiller
    from classroomkd_mm.registry import MODELS

    batch = _to_device(setting.batch, device)
    cases = []

    torch.manual_seed(seed)
    student = MODELS.build(copy.deepcopy(setting.student)).to(device).train()
    student_ow = _optim_wrapper(student)
    cases.append(Case('student', 'student',
                      lambda: student.train_step(batch, student_ow),
                      lambda: _state_tensors(student, student_ow),
                      batch=batch))

    # Mentors: built once, by the distiller itself.
    holder = ClassroomDistiller(student=setting.student,
                                mentors=setting.mentors).to(device)
    mentors = holder.classroom.mentors()
    adapter = holder.adapter
    with torch.no_grad():
        inputs = holder.data_preprocessor(batch, True)['inputs']
    for name, mentor in mentors.items():
        bridge = holder.classroom.bridge(name)
        if bridge is not None and not bridge.is_identity:
            from classroomkd_mm.models.bridges.crop_resize import resize_crop
            own = resize_crop(inputs, bridge.mentor_space.input_size)

            def mentor_pass(mentor=mentor, bridge=bridge, own=own):
                with torch.no_grad():
                    return bridge.mentor_forward(mentor, own)
        else:
            def mentor_pass(mentor=mentor):
                with torch.no_grad():
                    return adapter.forward(mentor, inputs)

        cases.append(Case(f'mentor:{name}', 'mentor', mentor_pass,
                          lambda mentor=mentor: _state_tensors(mentor)))

    names = list(mentors.keys())
    for policy in policies:
        policy_cfg, mentoring_cfg = POLICIES[policy]
        for k in mentor_counts:
            torch.manual_seed(seed)
            # the mentors built once, handed to each distiller as modules
            distiller = ClassroomDistiller(
                student=setting.student, policy=policy_cfg,
                mentoring=mentoring_cfg,
                mentors={n: mentors[n] for n in names[:k]})
            distiller.to(device).train()
            ow = _optim_wrapper(distiller)

            def step(distiller=distiller, ow=ow):
                return distiller.train_step(batch, ow)

            cases.append(Case(
                f'{policy}@{k}', 'distiller', step,
                # the mentors are not the model's state: the classroom's
                lambda d=distiller, ow=ow: _state_tensors(d, ow) +
                held_tensors(d),
                num_mentors=k, policy=policy, distiller=distiller,
                optim_wrapper=ow, batch=batch))
    return cases


def mentor_names(cases: List[Case]) -> List[str]:
    return [c.name.split(':', 1)[1] for c in cases if c.kind == 'mentor']


def by_name(cases: List[Case]) -> Dict[str, Case]:
    return {c.name: c for c in cases}
