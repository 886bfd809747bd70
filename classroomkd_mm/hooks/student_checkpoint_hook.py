"""Write a student-only checkpoint next to every checkpoint MMEngine saves."""
import glob
import os
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from classroomkd_mm.registry import HOOKS
from classroomkd_mm.utils.student_weights import (  # noqa: F401
    STUDENT_PREFIX, plain_data, student_checkpoint)

STUDENT_SUFFIX = '_student.pth'


def student_path(checkpoint_path: str) -> str:
    return osp.splitext(checkpoint_path)[0] + STUDENT_SUFFIX


@HOOKS.register_module()
class StudentCheckpointHook(Hook):
    """After MMEngine's ``CheckpointHook`` saves ``epoch_3.pth`` (or
    ``iter_300.pth``, or ``best_*.pth``), save ``epoch_3_student.pth`` beside
    it, holding only the student's weights and plain metadata; student files
    whose checkpoint was removed (``max_keep_ckpts``, a new best) go too.
    Only rank 0 writes.
    """

    priority = 'LOWEST'  # after CheckpointHook ('VERY_LOW') and EMAHook

    def __init__(self):
        self._written = {}
        self._saved_state = None

    def before_save_checkpoint(self, runner, checkpoint):
        """Keep the student weights the checkpoint holds: with MMEngine's
        ``EMAHook`` (the RTMPose recipes) these are the averaged weights the
        Runner evaluates, not the raw ones in the model."""
        self._saved_state = {
            k: v.detach().clone()
            for k, v in checkpoint['state_dict'].items()
            if k.startswith(STUDENT_PREFIX)}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self._sync(runner)

    def after_train_epoch(self, runner):
        self._sync(runner)

    def after_val_epoch(self, runner, metrics=None):
        self._sync(runner)

    def _saved_checkpoints(self, runner):
        paths = []
        last = osp.join(runner.work_dir, 'last_checkpoint')
        if osp.isfile(last):
            with open(last) as f:
                paths.append(f.read().strip())
        for key, value in runner.message_hub.runtime_info.items():
            if key.startswith('best_ckpt') and isinstance(value, str):
                paths.append(value)
        return [p for p in paths if p and osp.isfile(p)]

    @staticmethod
    def _dataset_meta(runner):
        """The model's ``dataset_meta``, else (mmpose models have none) the
        training set's ``metainfo``, as MMEngine's own checkpoints store it
        and mmpose's ``init_model`` reads it (keypoint names, flip pairs,
        skeleton and colours for the visualiser)."""
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        meta = getattr(model, 'dataset_meta', None)
        if meta:
            return meta
        dataset = getattr(runner.train_dataloader, 'dataset', None)
        return getattr(dataset, 'metainfo', None)

    def _sync(self, runner):
        if runner.rank != 0:
            return
        for path in self._saved_checkpoints(runner):
            mtime = os.stat(path).st_mtime_ns
            if self._written.get(path) == mtime:
                continue
            meta = dict(epoch=runner.epoch, iter=runner.iter,
                        source_checkpoint=osp.basename(path))
            dataset_meta = self._dataset_meta(runner)
            if dataset_meta:
                meta['dataset_meta'] = dataset_meta
            # the weights just saved; a checkpoint this hook did not see
            # being saved (before a resume) gets the model's
            source = runner.model if self._saved_state is None \
                else self._saved_state
            torch.save(student_checkpoint(source, meta), student_path(path))
            self._written[path] = mtime
        self._saved_state = None
        for orphan in glob.glob(osp.join(runner.work_dir,
                                         '*' + STUDENT_SUFFIX)):
            source = orphan[:-len(STUDENT_SUFFIX)] + '.pth'
            if not osp.isfile(source):
                os.remove(orphan)
                self._written.pop(source, None)
