"""A hook that saves the model's weights at chosen epochs as plain state
dicts (tensors only), the form a mentor ``checkpoint=`` loads."""
import os
import os.path as osp
from typing import Iterable

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from classroomkd_mm.registry import HOOKS


def snapshot_path(work_dir: str, epoch: int) -> str:
    return osp.join(work_dir, f'snapshot_epoch_{epoch}.pth')


@HOOKS.register_module()
class SnapshotExporter(Hook):
    """After each training epoch in ``epochs`` (1-based, as MMEngine names
    ``epoch_N.pth``), write ``snapshot_epoch_N.pth`` = ``{'state_dict':
    ...}`` into the work dir. Unlike a full MMEngine checkpoint it holds no
    message hub or optimizer state, so it loads under ``weights_only``."""

    priority = 'LOW'

    def __init__(self, epochs: Iterable[int]):
        self.epochs = set(epochs)

    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1
        if epoch not in self.epochs:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        path = snapshot_path(runner.work_dir, epoch)
        os.makedirs(runner.work_dir, exist_ok=True)
        torch.save(dict(state_dict=state, meta=dict(epoch=epoch)),
                   path + '.tmp')
        os.replace(path + '.tmp', path)
