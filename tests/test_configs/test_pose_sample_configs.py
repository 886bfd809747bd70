"""Runner runs of ClassroomKD on the bundled COCO and MPII samples
(configs/pose/samples): training with mmpose's datasets, codecs and losses,
evaluation with CocoMetric and MpiiPCKAccuracy, resume, and the student-only
checkpoint through mmpose's inference API. Training and evaluation see the
same few people: these check the machinery, not a score."""
import os.path as osp

import pytest
import torch

from tests.helpers import REPO

pytestmark = pytest.mark.usefixtures('mmpose_scope')

SAMPLE_CONFIGS = osp.join(REPO, 'configs', 'pose', 'samples')
COCO_STUDENT = 'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py'
COCO_CLASSROOM = ('classroomkd_res18-c16-from-res18-c32-res18-c16-mbv2_'
                  '1xb14-300it_coco-sample-64x48.py')
MPII_CLASSROOM = ('classroomkd_res18-c16-from-res18-c32-mbv2_'
                  '1xb5-300it_mpii-sample-64x64.py')


def load_config(name, data_root, work_dir, iters):
    """A sample config with its data at ``data_root``, trained for ``iters``
    iterations, no validation during training."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(SAMPLE_CONFIGS, name))
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    for scheduler in cfg.param_scheduler:
        scheduler.end = iters
        scheduler.milestones = [int(iters * 0.8)]
    cfg.default_hooks.checkpoint.interval = iters
    old_root = cfg.train_dataloader.dataset.data_root
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[key].dataset
        dataset.data_root = data_root
        if dataset.get('headbox_file'):
            dataset.headbox_file = osp.join(work_dir, '..',
                                            'mpii_headboxes.mat')
    for key in ('val_evaluator', 'test_evaluator'):
        if cfg[key].get('ann_file'):
            cfg[key].ann_file = cfg[key].ann_file.replace(
                old_root, data_root + '/')
    cfg.val_cfg = None
    cfg.val_dataloader = None
    cfg.val_evaluator = None
    cfg.log_level = 'WARNING'
    return cfg


def fresh_checkpoints(model_cfgs, out_dir):
    """Untrained mentors saved as MMEngine checkpoints (enough to exercise
    the distiller; the demo trains real ones)."""
    from mmpose.registry import MODELS
    paths = {}
    for name, cfg in model_cfgs.items():
        torch.manual_seed(len(paths))
        model = MODELS.build(cfg)
        paths[name] = osp.join(out_dir, f'{name}.pth')
        torch.save(dict(state_dict=model.state_dict(), meta=dict()),
                   paths[name])
    return paths


def classroom_config(name, data_root, work_dir, iters):
    cfg = load_config(name, data_root, work_dir, iters)
    ckpts = fresh_checkpoints(
        {k: v.model for k, v in cfg.model.mentors.items()},
        osp.dirname(work_dir))
    for mentor, path in ckpts.items():
        cfg.model.mentors[mentor].checkpoint = path
    return cfg


def run(cfg, resume=False):
    from mmengine.runner import Runner
    from classroomkd_mm.apis import prepare_runner_config
    cfg.resume = resume
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    runner.train()
    return runner


@pytest.mark.slow
def test_coco_classroomkd_train_test_resume_and_student_inference(
        sample_data, tmp_path):
    from mmpose.apis import inference_topdown, init_model
    (tmp_path / 'coco').mkdir()
    work_dir = str(tmp_path / 'coco' / 'classroomkd')
    data_root = osp.join(sample_data, 'coco')
    cfg = classroom_config(COCO_CLASSROOM, data_root, work_dir, 3)
    runner = run(cfg)
    logs = runner.message_hub.log_scalars
    for key in ('train/student.loss_kpt', 'train/student.acc_pose',
                'train/distill.loss_mentoring',
                'train/classroom.res18_c32.active_rate'):
        assert key in logs, key
    assert all(torch.isfinite(torch.tensor(v.current()))
               for k, v in logs.items() if k.startswith('train/'))
    metrics = runner.test()
    assert 0.0 <= metrics['coco/AP'] <= 1.0 and 'coco/AR' in metrics

    # resume from iter_3 and go on to 5
    cfg = classroom_config(COCO_CLASSROOM, data_root, work_dir, 5)
    runner = run(cfg, resume=True)
    assert runner.iter == 5
    assert osp.isfile(osp.join(work_dir, 'iter_5.pth'))
    student_ckpt = osp.join(work_dir, 'iter_5_student.pth')
    assert osp.isfile(student_ckpt)

    # plain torch.load(weights_only=True), no allow-list
    loaded = torch.load(student_ckpt, weights_only=True)
    assert not any(k.startswith('student.') for k in loaded['state_dict'])
    assert loaded['meta']['dataset_meta']['num_keypoints'] == 17

    # the plain student config + the student-only checkpoint, through mmpose
    student_cfg = load_config(COCO_STUDENT, data_root,
                                        str(tmp_path / 'student'), 5)
    student_cfg_file = str(tmp_path / 'student_config.py')
    student_cfg.dump(student_cfg_file)
    model = init_model(student_cfg_file, student_ckpt, device='cpu')
    state = runner.model.student.state_dict()
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key].cpu()), key
    img = osp.join(data_root, '000000196141.jpg')
    results = inference_topdown(model, img, [[100., 100., 300., 400.]],
                                bbox_format='xyxy')
    assert results[0].pred_instances.keypoints.shape == (1, 17, 2)

    # and through mmpose's visualiser with the checkpoint's dataset_meta
    import mmcv
    from mmpose.visualization import PoseLocalVisualizer
    visualizer = PoseLocalVisualizer(backend='matplotlib')
    visualizer.set_dataset_meta(model.dataset_meta)
    out_file = str(tmp_path / 'vis.jpg')
    visualizer.add_datasample('r', mmcv.imread(img, channel_order='rgb'),
                              data_sample=results[0], draw_gt=False,
                              kpt_thr=-1.0, out_file=out_file)
    assert osp.getsize(out_file) > 0


@pytest.mark.slow
def test_mpii_classroomkd_with_pckh(sample_data, tmp_path):
    from tools.dataset_converters.mpii_headboxes import write_mpii_headboxes
    data_root = osp.join(sample_data, 'mpii')
    mpii_dir = tmp_path / 'mpii'
    mpii_dir.mkdir()
    write_mpii_headboxes(osp.join(data_root, 'test_mpii.json'),
                         str(mpii_dir / 'mpii_headboxes.mat'))
    cfg = classroom_config(MPII_CLASSROOM, data_root,
                           str(mpii_dir / 'classroomkd'), 2)
    runner = run(cfg)
    metrics = runner.test()
    assert 0.0 <= metrics['PCK'] <= 100.0
    assert 'Head PCK' in metrics
    assert 'train/distill.loss_mentoring' in runner.message_hub.log_scalars


def test_mpii_headboxes_give_head_segment_norm(tmp_path):
    import json

    import numpy as np
    from tools.dataset_converters.mpii_headboxes import \
        headboxes_from_annotations
    with open(osp.join(REPO, 'data', 'samples', 'mpii',
                       'test_mpii.json')) as f:
        anns = json.load(f)
    boxes = np.transpose(headboxes_from_annotations(anns), [2, 0, 1])
    for box, ann in zip(boxes, anns):
        joints = np.asarray(ann['joints'])
        # what MpiiDataset computes from the box: 0.6 * diagonal
        head_size = 0.6 * np.linalg.norm(box[1] - box[0])
        assert head_size == pytest.approx(
            np.linalg.norm(joints[9] - joints[8]))
