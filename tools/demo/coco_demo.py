"""Pose part of the main job: ClassroomKD on the bundled COCO and MPII samples.

For each dataset this trains mentors of different strength through MMEngine's
Runner (real mmpose ``TopdownPoseEstimator`` configs, small inputs so a CPU
copes), trains the student alone (NoKD) and with ClassroomKD, evaluates all of
them with mmpose's metrics (``CocoMetric`` with xtcocotools; ``MpiiPCKAccuracy``)
and prints a table. The ClassroomKD student's student-only checkpoint is then
loaded with ``mmpose.apis.init_model`` and run with ``inference_topdown``, and
its predictions on one COCO image are drawn with ``PoseLocalVisualizer``.

Training and evaluation use the same few people (14 on COCO, 5 on MPII): the
numbers show the machinery end to end, not how well anything generalises.

    python tools/demo/coco_demo.py [--data-root ../shared/data]
        [--work-dir work_dirs/pose_demo] [--quick]
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SAMPLE_CONFIGS = osp.join(REPO, 'configs', 'pose', 'samples')
COCO_STUDENT = 'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py'
COCO_CLASSROOM = ('classroomkd_res18-c16-from-res18-c32-res18-c16-mbv2_'
                  '1xb14-300it_coco-sample-64x48.py')
MPII_STUDENT = 'td-hm_res18-c16_1xb5-300it_mpii-sample-64x64.py'
MPII_CLASSROOM = ('classroomkd_res18-c16-from-res18-c32-mbv2_'
                  '1xb5-300it_mpii-sample-64x64.py')

#: training iterations of each mentor (more iterations, stronger mentor)
COCO_MENTOR_ITERS = dict(res18_c32=300, res18_c16=200, mbv2_050=100)
MPII_MENTOR_ITERS = dict(res18_c32=200, mbv2_050=100)
STUDENT_ITERS = 150


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    default_root = osp.normpath(osp.join(REPO, '..', 'shared', 'data'))
    if not osp.isdir(osp.join(default_root, 'coco')):
        default_root = osp.join(REPO, 'data', 'samples')
    parser.add_argument(
        '--data-root', default=default_root,
        help='folder with coco/ and mpii/ (default: ../shared/data from the '
        'repository root, else the bundled data/samples)')
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs',
                                                       'pose_demo'))
    parser.add_argument('--student-iters', type=int, default=STUDENT_ITERS)
    parser.add_argument(
        '--iter-scale', type=float, default=1.0,
        help='multiply every training length (e.g. 0.1 for a smoke run)')
    parser.add_argument('--skip-mpii', action='store_true')
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch CPU threads (1 is fastest for these tiny models on a '
        'shared 2-core machine)')
    return parser.parse_args()


def log(msg):
    print(f'[pose demo {time.strftime("%H:%M:%S")}] {msg}', flush=True)


def load_config(name, data_root, work_dir, iters):
    """A sample config with its data at ``data_root``, trained for ``iters``
    iterations, no validation during training (we test at the end)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(SAMPLE_CONFIGS, name))
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    for scheduler in cfg.param_scheduler:
        scheduler.end = iters
        scheduler.milestones = [int(iters * 0.8)]
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = max(iters // 4, 1)
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
    cfg.log_level = 'WARNING'  # the demo prints its own progress
    return cfg


def count_parameters(model_cfg):
    """Parameters of the model ``model_cfg`` builds (a distiller's student)."""
    from classroomkd_mm.registry import MODELS
    model = MODELS.build(model_cfg.get('student', model_cfg))
    return sum(p.numel() for p in model.parameters())


def train_and_report(cfg):
    """Train with MMEngine's Runner, then evaluate with the test evaluator;
    returns the metrics and the (student's) parameter count."""
    from classroomkd_mm.apis import train_and_test
    start = time.time()
    metrics = train_and_test(cfg)
    log(f'  {cfg.train_cfg.max_iters} iterations + test in '
        f'{time.time() - start:.0f} s: ' + ', '.join(
            f'{k}={v:.3f}' for k, v in metrics.items()
            if k in ('coco/AP', 'coco/AR', 'PCK', 'PCK@0.1')))
    return metrics, count_parameters(cfg.model)


def run_dataset(name, student_cfg, classroom_cfg, mentor_iters, data_root,
                work_dir, student_iters, columns):
    rows = []
    mentor_ckpts = {}
    classroom = load_config(classroom_cfg, data_root, work_dir, 1)
    for mentor, iters in mentor_iters.items():
        log(f'{name}: training mentor {mentor} for {iters} iterations')
        cfg = load_config(student_cfg, data_root,
                          osp.join(work_dir, f'mentor_{mentor}'), iters)
        cfg.model = classroom.model.mentors[mentor].model
        metrics, params = train_and_report(cfg)
        mentor_ckpts[mentor] = osp.join(cfg.work_dir, f'iter_{iters}.pth')
        rows.append((f'mentor {mentor}', params, iters, metrics))

    log(f'{name}: training the student alone (NoKD), {student_iters} its')
    cfg = load_config(student_cfg, data_root, osp.join(work_dir, 'nokd'),
                      student_iters)
    cfg.dump(osp.join(work_dir, 'student_config.py'))
    metrics, params = train_and_report(cfg)
    rows.append(('student NoKD', params, student_iters, metrics))

    log(f'{name}: training the student with ClassroomKD, {student_iters} its')
    cfg = load_config(classroom_cfg, data_root,
                      osp.join(work_dir, 'classroomkd'), student_iters)
    for mentor, ckpt in mentor_ckpts.items():
        cfg.model.mentors[mentor].checkpoint = ckpt
    metrics, params = train_and_report(cfg)
    rows.append(('student ClassroomKD', params, student_iters, metrics))

    print_table(name, rows, columns)
    student_ckpt = osp.join(cfg.work_dir,
                            f'iter_{student_iters}_student.pth')
    return rows, student_ckpt


def print_table(name, rows, columns):
    header = f'{"model":<22} {"params":>8} {"iters":>6} ' + ' '.join(
        f'{label:>8}' for label, _, _ in columns)
    lines = [f'\n{name} (mmpose metrics on the sample; train = eval people)',
             header, '-' * len(header)]
    for model, params, iters, metrics in rows:
        values = ' '.join(f'{scale * metrics[key]:8.1f}'
                          for _, key, scale in columns)
        lines.append(f'{model:<22} {params / 1e6:7.2f}M {iters:>6} {values}')
    print('\n'.join(lines) + '\n', flush=True)


def visualise(student_config, student_ckpt, data_root, out_file):
    """Load the student-only checkpoint with mmpose's own API, run top-down
    inference on one COCO image with its ground-truth person boxes, and draw
    the predictions with mmpose's visualiser."""
    import mmcv
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    from mmpose.structures import merge_data_samples
    from mmpose.visualization import PoseLocalVisualizer

    model = init_model(student_config, student_ckpt, device='cpu')
    with open(osp.join(data_root, 'coco', 'test_coco.json')) as f:
        coco = json.load(f)
    def people(image):
        return [a['bbox'] for a in coco['annotations']
                if a['image_id'] == image['id'] and a['num_keypoints'] > 0]

    image = max(coco['images'], key=lambda image: len(people(image)))
    boxes = np.array(people(image), dtype=np.float32)
    boxes[:, 2:] += boxes[:, :2]  # xywh -> xyxy
    img_path = osp.join(data_root, 'coco', image['file_name'])
    results = inference_topdown(model, img_path, boxes, bbox_format='xyxy')
    # the matplotlib backend: mmpose 1.1.0's OpenCV one calls int() on a
    # 1-element array, which numpy 2 refuses
    visualizer = PoseLocalVisualizer(radius=3, line_width=2,
                                     backend='matplotlib')
    visualizer.set_dataset_meta(model.dataset_meta)
    visualizer.add_datasample(
        'classroomkd_student', mmcv.imread(img_path, channel_order='rgb'),
        data_sample=merge_data_samples(results), draw_gt=False,
        draw_bbox=True, kpt_thr=0.3, out_file=out_file)
    return len(results)


def main():
    args = parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import torch
    torch.set_num_threads(args.threads)
    sys.path.insert(0, REPO)
    import classroomkd_mm  # noqa: F401
    from tools.dataset_converters.mpii_headboxes import write_mpii_headboxes

    start = time.time()
    data_root = osp.abspath(args.data_root)
    work_dir = osp.abspath(args.work_dir)
    for part in ('coco', 'mpii'):  # ours only: a rerun starts afresh
        if osp.isdir(osp.join(work_dir, part)):
            shutil.rmtree(osp.join(work_dir, part))
    os.makedirs(work_dir, exist_ok=True)

    def scaled(iters):
        return max(int(iters * args.iter_scale), 2)

    student_iters = scaled(args.student_iters)
    coco_dir = osp.join(work_dir, 'coco')
    _, student_ckpt = run_dataset(
        'COCO sample', COCO_STUDENT, COCO_CLASSROOM,
        {k: scaled(v) for k, v in COCO_MENTOR_ITERS.items()},
        osp.join(data_root, 'coco'), coco_dir, student_iters,
        [('AP', 'coco/AP', 100), ('AP50', 'coco/AP .5', 100),
         ('AP75', 'coco/AP .75', 100), ('AR', 'coco/AR', 100)])
    out_file = osp.join(work_dir, 'classroomkd_student_coco_vis.jpg')
    people = visualise(osp.join(coco_dir, 'student_config.py'),
                       student_ckpt, data_root, out_file)
    log(f'student-only checkpoint {student_ckpt} loaded with '
        f'mmpose.apis.init_model; inference_topdown on {people} people; '
        f'visualisation written to {out_file}')

    if not args.skip_mpii:
        mpii_dir = osp.join(work_dir, 'mpii')
        os.makedirs(mpii_dir)
        headboxes = write_mpii_headboxes(
            osp.join(data_root, 'mpii', 'test_mpii.json'),
            osp.join(mpii_dir, 'mpii_headboxes.mat'))
        log(f'MPII head boxes for PCKh written to {headboxes}')
        run_dataset(
            'MPII sample', MPII_STUDENT, MPII_CLASSROOM,
            {k: scaled(v) for k, v in MPII_MENTOR_ITERS.items()},
            osp.join(data_root, 'mpii'), mpii_dir, student_iters,
            [('PCKh', 'PCK', 1), ('PCKh@0.1', 'PCK@0.1', 1)])
    log(f'pose demo done in {time.time() - start:.0f} s; outputs in '
        f'{work_dir}')


if __name__ == '__main__':
    main()
