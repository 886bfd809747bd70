"""Small real runs for the reliability tests: an image folder read by
mmpretrain's ``CustomDataset`` and a ClassroomKD config of tiny classifiers
(tests/helpers/tiny_classifiers.py)."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import torch
from mmengine.hooks import Hook

from tests.helpers import REPO
from tests.helpers.tiny_classifiers import (NUM_CLASSES, classifier_cfg,
                                            save_checkpoint)



def write_image_folder(root, per_class=4, size=16, seed=0):
    """``root/c<k>/<i>.png``: ``per_class`` random images per class."""
    import cv2
    rng = np.random.RandomState(seed)
    for label in range(NUM_CLASSES):
        os.makedirs(osp.join(root, f'c{label}'), exist_ok=True)
        for i in range(per_class):
            image = rng.randint(0, 256, (size, size, 3), dtype=np.uint8)
            image[..., label % 3] //= 2  # a little class signal
            cv2.imwrite(osp.join(root, f'c{label}', f'{i}.png'), image)
    return root


def save_mentors(out_dir, widths=(8, 6)):
    mentors = {}
    for i, width in enumerate(widths):
        path = osp.join(out_dir, f'mentor{i}.pth')
        save_checkpoint(classifier_cfg(width), path, seed=100 + i)
        mentors[f'm{i}'] = dict(model=classifier_cfg(width), checkpoint=path)
    return mentors


def run_config(data_root, work_dir, mentors, max_epochs=3, batch_size=4,
               custom_hooks=(), pipeline=None):
    """A complete Runner config (plain dict): ClassroomKD on the folder,
    checkpoints every epoch, deterministic CPU training."""
    pipeline = pipeline or [dict(type='LoadImageFromFile'),
                            dict(type='PackInputs')]
    return dict(
        default_scope='mmpretrain',
        model=dict(type='classroomkd_mm.ClassroomDistiller',
                   student=classifier_cfg(4), mentors=mentors),
        train_dataloader=dict(
            batch_size=batch_size,
            num_workers=0,
            persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         pipeline=pipeline)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[2], gamma=0.5),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=list(custom_hooks),
        randomness=dict(seed=0, deterministic=True),
        work_dir=work_dir)


def train_test_config(tmp_path, **kwargs):
    """``run_config`` on a fresh image folder and fresh mentors under
    ``tmp_path``, as a Config that ``train_and_test`` can also test (the
    training folder doubles as the test set)."""
    from mmengine.config import Config
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = Config(run_config(data, None, save_mentors(str(tmp_path)),
                            **kwargs))
    cfg.test_dataloader = cfg.train_dataloader
    cfg.test_cfg = dict()
    cfg.test_evaluator = dict(type='Accuracy')
    return cfg


def dump_config(cfg: dict, path: str) -> str:
    from mmengine.config import Config
    Config(cfg).dump(path)
    return path


def train_in_subprocess(config_path, *args, timeout=300):
    """``tools/train.py config args`` in a fresh single-threaded Python with
    this folder importable (for test hooks); returns the CompletedProcess."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONUNBUFFERED='1',
               PYTHONPATH=os.pathsep.join(
                   [REPO, os.environ.get('PYTHONPATH', '')]))
    return subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'), config_path,
         *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def load_tool(name):
    """``tools/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def batch(n=6, seed=0, soft=False):
    """Random 16x16 images with labels (and mixup-like soft targets)."""
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g).float()
    samples = []
    for i in range(n):
        sample = DataSample().set_gt_label(i % NUM_CLASSES)
        if soft:  # a mixup-like target: two classes, 0.7 / 0.3
            score = torch.zeros(NUM_CLASSES)
            score[i % NUM_CLASSES] += 0.7
            score[(i + 1) % NUM_CLASSES] += 0.3
            sample.set_gt_score(score)
        samples.append(sample)
    return dict(inputs=list(images), data_samples=samples)


#: a pipeline with random augmentation (exact resume needs the RNG state)
PIPELINE = [dict(type='LoadImageFromFile'),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='PackInputs')]


class Interrupted(Exception):
    pass


class StopAfterEpoch(Hook):
    """Raise after ``epoch``'s checkpoint is written."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise Interrupted


def student_weights(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}_student.pth'),
                      weights_only=True)['state_dict']
