"""A hook the distributed test's config registers: each rank records what
DDP synchronises, which student checkpoints it writes, and its student
weights at the end."""
import json
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from tests.helpers.classroom_probes import mentors_of


@HOOKS.register_module()
class DistProbeHook(Hook):

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.saved = []
        self.info = {}

    def before_run(self, runner):
        save = torch.save

        def recording_save(obj, f, *args, **kwargs):
            name = osp.basename(str(getattr(f, 'name', f)))
            if name.startswith('.') and name.endswith('.tmp'):
                # atomic_torch_save's `.<final name>.<random>.tmp`
                name = name[1:].rsplit('.', 2)[0]
            self.saved.append(name)
            return save(obj, f, *args, **kwargs)

        self._save = save
        torch.save = recording_save
        model = runner.model
        self.info['wrapper'] = type(model).__name__
        if not is_model_wrapper(model):
            return
        distiller = model.module
        synced, _ = model._build_params_for_reducer()
        synced = {id(p) for p in synced}
        self.info['mentor_params'] = sum(
            1 for _ in mentors_of(distiller).parameters())
        self.info['mentor_params_synced'] = sum(
            id(p) in synced for p in mentors_of(distiller).parameters())
        student = [p for p in distiller.student.parameters()
                   if p.requires_grad]
        self.info['student_params'] = len(student)
        self.info['student_params_synced'] = sum(
            id(p) in synced for p in student)
        self.info['synced_params'] = len(synced)
        self.info['mentors_require_grad'] = any(
            p.requires_grad for p in mentors_of(distiller).parameters())
        self.info['initial_student'] = {
            k: v.detach().clone()
            for k, v in distiller.student.named_parameters()}

    def after_run(self, runner):
        torch.save = self._save
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        initial = self.info.pop('initial_student', {})
        self.info['student_changed'] = any(
            not torch.equal(v.detach(), initial[k])
            for k, v in model.student.named_parameters()) if initial else None
        self.info['rank'] = runner.rank
        self.info['world_size'] = runner.world_size
        self.info['student_checkpoints_saved'] = sorted(
            p for p in self.saved if p.endswith('_student.pth'))
        self.info['mentor_grads'] = any(
            p.grad is not None for p in mentors_of(model).parameters())
        torch.save(
            {k: v.detach().cpu() for k, v in model.student.named_parameters()},
            osp.join(self.out_dir, f'rank{runner.rank}_student.pth'))
        with open(osp.join(self.out_dir, f'rank{runner.rank}.json'),
                  'w') as f:
            json.dump(self.info, f)
