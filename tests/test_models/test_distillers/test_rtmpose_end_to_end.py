"""RTMPose end to end on the latest stack: an RTMPose-family student (CSPNeXt
backbone, RTMCCHead with SimCC targets) distilled with ClassroomKD through
MMEngine's Runner on the synthetic figures, with the RTMPose recipe's two-stage
pipeline (mmdet's PipelineSwitchHook) and MMEngine's EMAHook, scored by
CocoMetric; its student-only checkpoint loaded by mmpose's ``init_model`` and
run by ``inference_topdown``."""
import json
import os.path as osp

import pytest
import torch

from tests.helpers import REPO

CONFIGS = osp.join(REPO, 'configs', 'pose', 'synthetic')
MENTOR = osp.join(CONFIGS, 'rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py')
STUDENT = osp.join(CONFIGS,
                   'rtmpose-x0.125_1xb16-5e_synthetic-figures-800-64x48.py')

try:
    import mmdet  # noqa: F401
except ImportError:
    mmdet = None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures('mmpose_scope'),
    pytest.mark.skipif(
        mmdet is None,
        reason='RTMPose needs mmdet (CSPNeXt, YOLOXHSVRandomAug, '
        'PipelineSwitchHook): it runs on the latest stack '
        '(tools/run_tests.sh latest), not on the pinned one'),
]


def synthetic_config(path, data_root, work_dir, epochs):
    """``path`` on the figures at ``data_root``, ``epochs`` epochs (the
    stage-2 pipeline in the last one), validated after the last."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    cfg.work_dir = work_dir
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    cfg.param_scheduler[0].end = 2
    cfg.param_scheduler[1].update(end=epochs, T_max=epochs)
    cfg.train_dataloader.batch_size = 8
    cfg.default_hooks.checkpoint.interval = epochs
    cfg.default_hooks.logger.interval = 1
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.dataset.ann_file = \
        'annotations/synthetic_figures_train.json'
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = osp.join(
            data_root, 'annotations', 'synthetic_figures_val.json')
    switch = next(h for h in cfg.custom_hooks
                  if h.type == 'mmdet.PipelineSwitchHook')
    switch.switch_epoch = epochs - 1
    return cfg


def train(cfg):
    from mmengine.runner import Runner

    from classroomkd_mm.apis import prepare_runner_config
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    runner.train()
    return runner


def test_rtmpose_classroomkd_runner_cocometric_and_inference(tmp_path):
    from mmengine.config import Config
    from mmpose.apis import inference_topdown, init_model

    from classroomkd_mm.utils.safe_checkpoint import torch_load_safely
    from tools.dataset_converters.synthetic_figures import \
        write_synthetic_figures
    data_root = str(tmp_path / 'figures') + '/'
    write_synthetic_figures(data_root, splits={'train': 16, 'val': 8})

    # a wider mentor of the same family, trained through the Runner
    mentor_cfg = synthetic_config(MENTOR, data_root,
                                  str(tmp_path / 'mentor'), 1)
    train(mentor_cfg)
    mentor_ckpt = str(tmp_path / 'mentor' / 'epoch_1.pth')

    # the student, distilled by it and by an untrained copy of it
    student_cfg = synthetic_config(STUDENT, data_root,
                                   str(tmp_path / 'student'), 2)
    cfg = student_cfg.copy()
    cfg.work_dir = str(tmp_path / 'classroomkd')
    cfg.model = dict(
        type='classroomkd_mm.ClassroomDistiller',
        student=student_cfg.model,
        mentors=dict(
            x025=dict(config=MENTOR, checkpoint=mentor_ckpt),
            x025_untrained=dict(model=mentor_cfg.model,
                                checkpoint=_untrained(mentor_cfg, tmp_path))),
        policy=dict(type='KnowledgeFilter'),
        mentoring=dict(type='MentoringLoss', tau=12.0, loss_weight=1.0))
    # the RTMPose-s/m/l recipes' EMA (MMEngine's hook)
    cfg.custom_hooks = [
        dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002,
             update_buffers=True, priority=49), *cfg.custom_hooks]
    runner = train(cfg)

    logs = runner.message_hub.log_scalars
    for key in ('train/student.loss_kpt', 'train/student.acc_pose',
                'train/distill.loss_mentoring',
                'train/classroom.x025.active_rate'):
        assert key in logs, key
    assert all(torch.isfinite(torch.tensor(v.current()))
               for k, v in logs.items() if k.startswith('train/'))
    # the stage-2 pipeline is in place (mmdet's hook ran): stage 1's
    # photometric transforms (HSV, blurs) are gone
    names = [type(t).__name__
             for t in runner.train_dataloader.dataset.pipeline.transforms]
    assert 'TopdownAffine' in names
    assert 'Albumentation' not in names
    assert 'YOLOXHSVRandomAug' not in names
    metrics = runner.test()
    assert 0.0 <= metrics['coco/AP'] <= 1.0 and 'coco/AR' in metrics

    # the student-only file is the student part of the checkpoint beside it
    # (the EMA weights the Runner evaluated), and plain torch loads it
    work_dir = cfg.work_dir
    student_ckpt = osp.join(work_dir, 'epoch_2_student.pth')
    loaded = torch.load(student_ckpt, weights_only=True)
    full = torch_load_safely(osp.join(work_dir, 'epoch_2.pth'))
    for key, value in loaded['state_dict'].items():
        assert torch.equal(value, full['state_dict'][key]), key

    # mmpose's own API with the plain student config
    student_file = str(tmp_path / 'student_config.py')
    student_cfg.dump(student_file)
    model = init_model(student_file, student_ckpt, device='cpu')
    assert model.dataset_meta['num_keypoints'] == 17
    with open(osp.join(data_root, 'annotations',
                       'synthetic_figures_val.json')) as f:
        val = json.load(f)
    image = osp.join(data_root, 'images', val['images'][0]['file_name'])
    x, y, w, h = val['annotations'][0]['bbox']
    results = inference_topdown(model, image, [[x, y, x + w, y + h]],
                                bbox_format='xyxy')
    assert results[0].pred_instances.keypoints.shape == (1, 17, 2)

    # and the plain student, evaluated from that file, scores what the
    # distiller scored
    plain = Config.fromfile(student_file)
    plain.work_dir = str(tmp_path / 'plain_test')
    plain.load_from = student_ckpt
    from mmengine.runner import Runner
    assert Runner.from_cfg(plain).test()['coco/AP'] == pytest.approx(
        metrics['coco/AP'])


def _untrained(cfg: 'Config', tmp_path) -> str:
    from mmpose.registry import MODELS
    torch.manual_seed(1)
    path = str(tmp_path / 'untrained_mentor.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                    meta=dict()), path)
    return path
