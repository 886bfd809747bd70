"""Write a student-only checkpoint next to every checkpoint MMEngine saves."""
import glob
import os
import os.path as osp

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import CheckpointLoader

from classroomkd_mm.registry import HOOKS
from classroomkd_mm.utils.checkpoint_files import atomic_torch_save
from classroomkd_mm.utils.safe_checkpoint import UnreadableCheckpointError
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

    The student file is made from the checkpoint file itself (loaded
    safely), so it always equals the student in its checkpoint, with that
    checkpoint's epoch and iteration: a student file newer than its
    checkpoint is left alone (after ``--resume`` the file of the checkpoint
    resumed from is not rewritten with later weights). Written atomically.
    """

    priority = 'LOWEST'  # after CheckpointHook ('VERY_LOW') and EMAHook

    def __init__(self):
        self._enabled = True

    def before_run(self, runner):
        # configs inheriting classroomkd_mm::_base_/classroomkd_runtime.py
        # carry this hook whether or not their model is a distiller
        from classroomkd_mm.models.distillers import ClassroomDistiller
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        self._enabled = isinstance(model, ClassroomDistiller)

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
        if runner.rank != 0 or not self._enabled:
            return
        for path in self._saved_checkpoints(runner):
            target = student_path(path)
            if osp.isfile(target) and \
                    os.stat(target).st_mtime_ns >= os.stat(path).st_mtime_ns:
                continue
            try:
                saved = CheckpointLoader.load_checkpoint(path, 'cpu',
                                                         logger='silent')
            except UnreadableCheckpointError:
                # e.g. the broken checkpoint auto-resume fell back from,
                # still named in last_checkpoint until the next save
                if osp.isfile(target):
                    os.remove(target)
                continue
            meta = dict(saved.get('meta') or {})
            meta = dict(epoch=meta.get('epoch'), iter=meta.get('iter'),
                        source_checkpoint=osp.basename(path))
            dataset_meta = (saved.get('meta') or {}).get('dataset_meta') \
                or self._dataset_meta(runner)
            if dataset_meta:
                meta['dataset_meta'] = dataset_meta
            atomic_torch_save(student_checkpoint(saved['state_dict'], meta),
                              target)
        for orphan in glob.glob(osp.join(runner.work_dir,
                                         '*' + STUDENT_SUFFIX)):
            source = orphan[:-len(STUDENT_SUFFIX)] + '.pth'
            if not osp.isfile(source):
                os.remove(orphan)
