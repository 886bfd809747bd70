"""Short real training runs of ClassroomKD through MMEngine's Runner on
datasets the tests write: CIFAR-100 format (mmpretrain's CIFAR100) and an
ImageNet-format folder (mmpretrain's ImageNet), resume, and the student-only
checkpoint through mmpretrain's inference API."""
import glob
import os
import os.path as osp
import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from classroomkd_mm.apis import prepare_runner_config
from classroomkd_mm.utils.config_files import load_config
from tests.helpers.tiny_classifiers import classifier_cfg, save_checkpoint

pytestmark = pytest.mark.slow  # MMEngine Runner runs

PREPROCESSOR_100 = dict(
    type='ClsDataPreprocessor',
    num_classes=100,
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418],
    to_rgb=False)


def write_cifar100(root, num_train=24, num_test=12, seed=0):
    """A CIFAR-100 python-format folder (cifar-100-python/{train,test,meta})
    with random 32x32 images."""
    rng = np.random.RandomState(seed)
    folder = osp.join(root, 'cifar-100-python')
    os.makedirs(folder, exist_ok=True)
    for split, n in (('train', num_train), ('test', num_test)):
        entry = {
            'data': rng.randint(0, 256, (n, 3 * 32 * 32), dtype=np.uint8),
            'fine_labels': list(rng.randint(0, 100, n)),
        }
        with open(osp.join(folder, split), 'wb') as f:
            pickle.dump(entry, f)
    with open(osp.join(folder, 'meta'), 'wb') as f:
        pickle.dump({'fine_label_names': [f'c{i}' for i in range(100)]}, f)


def cifar_config(tmp_path, max_epochs=2):
    mentors = {}
    for name, width, seed in (('big', 8, 1), ('peer', 4, 2)):
        path = str(tmp_path / f'{name}.pth')
        model_cfg = classifier_cfg(width, 100, PREPROCESSOR_100)
        save_checkpoint(model_cfg, path, seed=seed)
        mentors[name] = dict(model=model_cfg, checkpoint=path)
    cfg = load_config('mmpretrain::resnet/resnet50_8xb16_cifar100.py')
    cfg.model = dict(
        type='classroomkd_mm.ClassroomDistiller',
        student=classifier_cfg(4, 100, PREPROCESSOR_100),
        mentors=mentors,
        policy=dict(type='KnowledgeFilter'),
        mentoring=dict(type='MentoringLoss', tau=12.0))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(tmp_path / 'cifar')
        cfg[loader].batch_size = 8
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
    cfg.param_scheduler = dict(type='ConstantLR', factor=1.0)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, save_best='auto')
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.randomness = dict(seed=0)
    return prepare_runner_config(cfg)


@pytest.fixture
def cifar(tmp_path):
    write_cifar100(str(tmp_path / 'cifar'))
    # The written files are not the real CIFAR-100: skip only the md5 check.
    with mock.patch('mmpretrain.datasets.cifar.check_md5', return_value=True):
        yield tmp_path


def test_cifar100_train_resume_and_student_checkpoint(cifar):
    from mmpretrain.apis import get_model
    tmp_path = cifar
    runner = Runner.from_cfg(cifar_config(tmp_path, max_epochs=2))
    runner.train()
    hub = runner.message_hub.log_scalars
    for key in ('train/student.loss', 'train/distill.loss_mentoring',
                'train/classroom.big.active_rate',
                'train/classroom.student_confidence', 'val/accuracy/top1'):
        assert key in hub, key
    work = tmp_path / 'work'
    for epoch in (1, 2):
        assert (work / f'epoch_{epoch}.pth').is_file()
        assert (work / f'epoch_{epoch}_student.pth').is_file()
    best = glob.glob(str(work / 'best_*.pth'))
    assert any(p.endswith('_student.pth') for p in best)
    assert any(not p.endswith('_student.pth') for p in best)
    student_state = {k: v.clone()
                     for k, v in runner.model.student.state_dict().items()}

    # Resume: a third epoch continues from epoch 2 (safe loading of the
    # full checkpoint, HistoryBuffer and all).
    cfg = cifar_config(tmp_path, max_epochs=3)
    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    resumed.load_or_resume()
    assert resumed.epoch == 2
    for key, value in student_state.items():
        assert torch.equal(resumed.model.student.state_dict()[key], value)
    resumed.train()
    assert resumed.epoch == 3
    assert (work / 'epoch_3_student.pth').is_file()

    # The student-only checkpoint loads with plain torch (weights_only, no
    # allow-list) and through mmpretrain's own API with the plain student
    # config, and predicts exactly as the trained student.
    path = str(work / 'epoch_3_student.pth')
    raw = torch.load(path, weights_only=True)
    assert set(raw) == {'state_dict', 'meta'}
    student_cfg = Config(dict(
        model=classifier_cfg(4, 100, PREPROCESSOR_100),
        default_scope='mmpretrain'))
    plain = get_model(student_cfg, pretrained=path)
    plain.eval()
    trained = resumed.model
    trained.eval()
    inputs = torch.randint(0, 256, (3, 3, 32, 32)).float()
    with torch.no_grad():
        expected = trained.test_step(dict(inputs=list(inputs)))
        got = plain.test_step(dict(inputs=list(inputs)))
    for a, b in zip(expected, got):
        torch.testing.assert_close(a.pred_score, b.pred_score)


def test_imagenet_format_folder(tmp_path):
    import cv2
    root = tmp_path / 'imagenet'
    classes = ('n01', 'n02', 'n03', 'n04')
    rng = np.random.RandomState(0)
    for split in ('train', 'val'):
        lines = []
        for label, wnid in enumerate(classes):
            os.makedirs(root / split / wnid, exist_ok=True)
            for i in range(3):
                name = f'{wnid}/{wnid}_{i}.JPEG'
                cv2.imwrite(str(root / split / name),
                            rng.randint(0, 256, (40, 48, 3), dtype=np.uint8))
                lines.append(f'{name} {label}')
        os.makedirs(root / 'meta', exist_ok=True)
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines))

    mentors = {}
    preprocessor = dict(
        type='ClsDataPreprocessor',
        num_classes=4,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True)
    for name, width in (('a', 8), ('b', 6), ('c', 4)):
        path = str(tmp_path / f'{name}.pth')
        save_checkpoint(classifier_cfg(width, 4, preprocessor), path)
        mentors[name] = dict(model=classifier_cfg(width, 4, preprocessor),
                             checkpoint=path)
    cfg = load_config('mmpretrain::resnet/resnet18_8xb32_in1k.py')
    cfg.model = dict(
        type='classroomkd_mm.ClassroomDistiller',
        student=classifier_cfg(4, 4, preprocessor),
        mentors=mentors,
        policy=dict(type='KnowledgeFilter', granularity='batch'),
        mentoring=dict(type='MentoringLoss', tau=4.0))
    for loader, split in (('train_dataloader', 'train'),
                          ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        dataset = cfg[loader].dataset
        dataset.data_root = str(root)
        dataset.split = split
        dataset.ann_file = f'meta/{split}.txt'
        dataset.data_prefix = split
        dataset.metainfo = dict(classes=classes)
        for step in dataset.pipeline:
            if step['type'] in ('RandomResizedCrop', 'CenterCrop'):
                step[{'RandomResizedCrop': 'scale',
                      'CenterCrop': 'crop_size'}[step['type']]] = 32
            if step['type'] == 'ResizeEdge':
                step['scale'] = 36
        cfg[loader].batch_size = 4
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.val_evaluator = cfg.test_evaluator = dict(
        type='Accuracy', topk=(1, ))
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    cfg.param_scheduler = dict(type='ConstantLR', factor=1.0)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    runner.train()
    metrics = runner.test()
    assert 0 <= metrics['accuracy/top1'] <= 100
    assert osp.isfile(tmp_path / 'work' / 'epoch_1_student.pth')


def test_tools_test_py_evaluates_distiller_and_student_checkpoints(cifar):
    """``tools/test.py`` gives the same metrics for the distiller config with
    its full checkpoint and for the plain student config with the
    student-only checkpoint."""
    import json
    import runpy
    import sys
    tmp_path = cifar
    cfg = cifar_config(tmp_path, max_epochs=1)
    Runner.from_cfg(cfg).train()
    work = tmp_path / 'work'
    distiller_file = str(tmp_path / 'distiller.py')
    cfg.dump(distiller_file)
    student_cfg = cfg.copy()
    student_cfg.model = classifier_cfg(4, 100, PREPROCESSOR_100)
    student_cfg.custom_hooks = []
    student_file = str(tmp_path / 'student.py')
    student_cfg.dump(student_file)

    metrics = {}
    for name, config, ckpt in (
            ('distiller', distiller_file, work / 'epoch_1.pth'),
            ('student', student_file, work / 'epoch_1_student.pth')):
        out = str(tmp_path / f'{name}.json')
        argv = ['tools/test.py', config, str(ckpt), '--work-dir',
                str(tmp_path / f'test_{name}'), '--out', out]
        with mock.patch.object(sys, 'argv', argv):
            runpy.run_path('tools/test.py', run_name='__main__')
        with open(out) as f:
            metrics[name] = json.load(f)
    assert metrics['distiller'] == metrics['student']
    assert 'accuracy/top1' in metrics['student']
