"""A mixed classroom trained through MMEngine's Runner on the bundled COCO
sample: a student from mmpose's HRNet-W32 256x192 config (tiny backbone)
with an RTMPose (SimCC) mentor, a 384x288 HRNet mentor, a 133-keypoint
whole-body mentor with the COCO mapping and an RLE mentor, all from mmpose's
own zoo configs, each with an untrained checkpoint."""
import os.path as osp

import pytest
import torch
from tests.helpers.zoo_models import (COCO_FROM_WHOLEBODY, HRNET_256,
                                     HRNET_384, RLE, RTMPOSE_T, WHOLEBODY,
                                     mentor_entry, zoo_config, zoo_model)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
SAMPLE_CONFIG = osp.join(REPO, 'configs', 'pose', 'samples',
                         'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py')
MENTORS = ('rtmpose', 'hrnet384', 'wholebody', 'rle')


def runner_config(data_root, tmp_path, iters):
    from mmengine.config import Config
    cfg = Config.fromfile(SAMPLE_CONFIG)
    codec = zoo_config('mmpose', HRNET_256).codec
    for pipeline in (cfg.train_dataloader.dataset.pipeline, ):
        for step in pipeline:
            if step.type == 'TopdownAffine':
                step.input_size = codec.input_size
            if step.type == 'GenerateTarget':
                step.encoder = codec
    cfg.train_dataloader.update(batch_size=4, num_workers=0,
                                persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_cfg.update(max_iters=iters, val_interval=iters)
    cfg.param_scheduler = []
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    mentors = dict(
        rtmpose=(zoo_model(RTMPOSE_T), {}),
        hrnet384=(zoo_model(HRNET_384), {}),
        wholebody=(zoo_model(WHOLEBODY),
                   dict(keypoint_mapping=COCO_FROM_WHOLEBODY)),
        rle=(zoo_model(RLE), {}))
    cfg.model = dict(
        type='classroomkd_mm.ClassroomDistiller',
        student=zoo_model(HRNET_256),
        mentors={name: mentor_entry(model, tmp_path, name,
                                    **extra)
                 for name, (model, extra) in mentors.items()},
        mentoring=dict(type='MentoringLoss', loss_weight=0.01,
                       divergence=dict(type='HeatmapKLDivergence',
                                       logit_scale=10.0)))
    cfg.custom_imports = dict(imports=['classroomkd_mm'],
                              allow_failed_imports=False)
    return cfg


@pytest.mark.slow
def test_mixed_classroom_trains_through_the_runner(mmpose_scope, tmp_path):
    from mmengine.runner import Runner

    from classroomkd_mm.apis import prepare_runner_config
    data_root = osp.join(REPO, 'data', 'samples', 'coco')
    cfg = runner_config(data_root, tmp_path, iters=3)
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    runner.train()
    logs = runner.message_hub.log_scalars
    for name in MENTORS:
        assert f'train/classroom.{name}.active_rate' in logs, name
        assert logs[f'train/classroom.{name}.broken_rate'].current() == 0
    assert all(torch.isfinite(torch.tensor(v.current()))
               for k, v in logs.items() if k.startswith('train/'))
    assert osp.isfile(osp.join(str(tmp_path / 'work'), 'iter_3.pth'))
