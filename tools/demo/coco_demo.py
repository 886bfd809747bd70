"""Pose part of the main job: a pretrained classroom on real COCO people
with scarce labels, held out.

Trains on COCO-MINI's train2017 where the student keeps the keypoint labels
of only 20 of its 86 people; the other 66 and the 81 box-only people are
unlabelled crops that only the mentors teach. Scores on its disjoint
val2017 (68 people no model here saw), through the method benchmark's own
machinery (``benchmarks/methods``, MMEngine's Runner, mmpose's
``PCKAccuracy`` and ``CocoMetric``) with the spec
``configs/benchmarks/coco_mini_scarce_labels.py`` cut to the main job's
size:

1. the classroom: MoveNet SinglePose Lightning, pretrained by Google, a
   mentor given as a model file (``../shared/data/models/movenet/``,
   docs/file_mentors.md), scored through its bridge into the student's
   bins (``classroomkd_mm.apis.evaluate_mentor``, as
   ``tools/evaluate_mentor.py``); and the spec's peer, a SimCC
   ResNet-18/32 trained here from scratch on the same 20 labelled people
   (shortened to fit the main job's time);
2. the student (SimCC ResNet-18/16, 64x48) with NoKD (its 20 labels), KD
   from MoveNet (``SingleMentorKD``) and ClassroomKD (``KnowledgeFilter``
   over MoveNet and the peer, as in the paper), for each seed;
3. a table: each mentor's held-out score, the students' mean +- std over
   the seeds, the paired differences against NoKD (same seed), the CPU;
4. the NoKD student beside the better distilled one (KD or ClassroomKD,
   by mean PCK@0.2; the panel says which): their student-only checkpoints
   loaded with ``mmpose.apis.init_model``, run with ``inference_topdown``
   on the val2017 image with the most people (its ground-truth boxes),
   drawn with ``PoseLocalVisualizer`` into one PNG.

The console shows progress lines and the table; MMEngine's and
xtcocotools' output of each step goes to ``<work-dir>/coco_mini/logs/``.

    python tools/demo/coco_demo.py [--data-root ../shared/data/coco_mini]
        [--work-dir work_dirs/pose_demo] [--seeds 0 1 2] [--iter-scale 1]
"""
import argparse
import json
import os
import os.path as osp
import resource
import shutil
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPEC = osp.join(REPO, 'configs', 'benchmarks', 'coco_mini_scarce_labels.py')
#: the spec's methods the main job runs, with their table labels
METHODS = {'nokd': 'NoKD', 'kd': 'KD (MoveNet)',
           'classroomkd': 'ClassroomKD'}
#: the main job's training lengths (epochs): the spec's student (30) and
#: its peer shortened from 120 epochs to fit the main job's time
STUDENT_EPOCHS = 30
MENTOR_EPOCHS = 60
#: the columns of the table: (label, metric key, scale)
COLUMNS = (('PCK@0.2', 'PCK', 100), ('AP', 'coco/AP', 100))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--data-root',
        default=osp.normpath(osp.join(REPO, '..', 'shared', 'data',
                                      'coco_mini')),
        help='COCO-MINI (train2017/, val2017/, annotations/; default: '
        '../shared/data/coco_mini from the repository root)')
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs',
                                                       'pose_demo'))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--iter-scale', type=float, default=1.0,
        help='multiply every training length (e.g. 0.1 for a smoke run)')
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch CPU threads (1 is fastest for these tiny models on a '
        'shared 2-core machine)')
    return parser.parse_args()


def log(msg, file=None):
    print(f'[pose demo {time.strftime("%H:%M:%S")}] {msg}', flush=True,
          file=file or sys.stdout)


def demo_spec(data_root, work_dir, seeds, iter_scale):
    """The spec of configs/benchmarks/coco_mini_scarce_labels.py at the
    main job's size: its data at ``data_root``, the methods above,
    ``seeds``, the training lengths above times ``iter_scale``."""
    from benchmarks.methods import load_spec
    from classroomkd_mm.utils.config_files import load_config
    from tools.dataset_converters.coco_mini import coco_mini_options

    def scaled(epochs):
        return max(int(round(epochs * iter_scale)), 1)

    spec = load_spec(SPEC, seeds=seeds, work_dir=work_dir)
    spec.name = 'coco_mini_scarce_labels_main_job'
    spec.prepare_data = None  # the pseudo-label baseline is not run here
    data = coco_mini_options(data_root)
    student_epochs, mentor_epochs = scaled(STUDENT_EPOCHS), scaled(
        MENTOR_EPOCHS)
    spec.student_options.update(data)
    spec.student_options.update(epoch_options(student_epochs))
    for training in spec.trainings.values():
        training['options'] = {**training.get('options', {}), **data,
                               **epoch_options(mentor_epochs)}
    for mentor in spec.mentors.values():  # the same share of training
        if 'training' in mentor:
            training = spec.trainings[mentor['training']]
            full = load_config(training['config']).train_cfg.max_epochs
            mentor['epoch'] = max(
                round(mentor['epoch'] * mentor_epochs / full), 1)
    spec.methods = {m: dict(spec.methods[m]) for m in METHODS}
    return spec, student_epochs


def epoch_options(epochs):
    """Options of a configs/pose/coco_mini config trained for ``epochs``
    (its cosine schedule over them)."""
    return {'train_cfg.max_epochs': epochs,
            'param_scheduler.1.T_max': epochs,
            'param_scheduler.1.end': epochs}


def count_parameters(config_file):
    from classroomkd_mm.registry import MODELS
    from classroomkd_mm.utils.config_files import load_config
    model = MODELS.build(load_config(config_file).model)
    return sum(p.numel() for p in model.parameters())


def mean_std(values):
    import numpy as np
    values = np.asarray(values, dtype=float)
    std = values.std(ddof=1) if len(values) > 1 else 0.0
    return f'{values.mean():5.1f} +- {std:4.1f}'


def paired(results, method, seeds, key='PCK', scale=100):
    """Per seed: ``method``'s metric minus NoKD's on the same seed."""
    return [scale * (results[method, s]['metrics'][key] -
                     results['nokd', s]['metrics'][key]) for s in seeds]


def mentor_row(spec, name):
    """(params, epochs) columns of a mentor: a model file has neither."""
    from benchmarks.methods.runs import mentor_config
    mentor = spec.mentors[name]
    if 'model' in mentor:
        return f'{"file":>7} {"-":>6}'
    params = count_parameters(mentor_config(spec, name))
    return f'{params / 1e6:6.2f}M {mentor["epoch"]:>6}'


def print_table(spec, mentor_metrics, results, student_epochs, seeds,
                labelled):
    """Mentors, the students' mean +- std over seeds and the paired
    differences against NoKD on the spec's metric."""
    from benchmarks.methods.report import machine
    header = f'{"model":<26} {"params":>7} {"epochs":>6} ' + ' '.join(
        f'{label:>13}' for label, _, _ in COLUMNS)
    lines = ['', f'COCO-MINI, scarce labels, held out: trained on train2017 '
             f'with the keypoint labels of {labelled} of its 86 people (the '
             'other 66 and the 81 box-only people unlabelled, taught by the '
             'mentors), scored on val2017 (68 other people), GT boxes; '
             f'mean +- std over seeds {seeds}; CPU: {machine()}',
             header, '-' * len(header)]
    for name, metrics in mentor_metrics.items():
        values = ' '.join(f'{scale * metrics[key]:13.1f}'
                          for _, key, scale in COLUMNS)
        lines.append(f'mentor {name:<19} {mentor_row(spec, name)} {values}')
    params = count_parameters(spec.student)
    for method, label in METHODS.items():
        runs = [results[method, s]['metrics'] for s in seeds]
        values = ' '.join(
            f'{mean_std([scale * r[key] for r in runs]):>13}'
            for _, key, scale in COLUMNS)
        lines.append(f'student {label:<18} {params / 1e6:6.2f}M '
                     f'{student_epochs:>6} {values}')
    label = COLUMNS[0][0]
    lines.append('')
    for method in METHODS:
        if method == 'nokd':
            continue
        diffs = paired(results, method, seeds)
        ahead = sum(d > 0 for d in diffs)
        lines.append(
            f'{METHODS[method]} - NoKD, paired by seed, {label}: '
            f'{mean_std(diffs)} (per seed: '
            f'{", ".join(f"{d:+.1f}" for d in diffs)}; ahead on {ahead}/'
            f'{len(diffs)})')
    cpu = sum(r.get('cpu_seconds', 0.0) for r in results.values())
    lines.append(
        f'Student runs: {cpu:.0f} CPU s in all. The spread over seeds is '
        'the noise: differences inside it are not results '
        '(docs/benchmarks.md, "COCO-MINI with scarce labels").')
    print('\n'.join(lines) + '\n', flush=True)


def draw_student(config, checkpoint, img_path, boxes, title):
    """One student-only checkpoint, loaded with mmpose's own API, run
    top-down on ``boxes`` of ``img_path`` and drawn with mmpose's
    visualiser; returns the RGB panel with ``title`` written on it."""
    import cv2
    import mmcv
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    from mmpose.structures import merge_data_samples
    from mmpose.visualization import PoseLocalVisualizer

    model = init_model(config, checkpoint, device='cpu')
    results = inference_topdown(model, img_path, boxes, bbox_format='xyxy')
    # the matplotlib backend: mmpose 1.1.0's OpenCV one calls int() on a
    # 1-element array, which numpy 2 refuses
    visualizer = PoseLocalVisualizer(radius=3, line_width=2,
                                     backend='matplotlib')
    visualizer.set_dataset_meta(model.dataset_meta)
    image = mmcv.imread(img_path, channel_order='rgb')
    drawn = merge_data_samples(results)
    # a box or keypoint outside the image widens matplotlib's axes and
    # shrinks the image inside its panel: boxes are clipped to the image,
    # keypoints outside it are not drawn
    height, width = image.shape[:2]
    pred = drawn.pred_instances
    pred.bboxes = np.clip(pred.bboxes, 0, [width - 1, height - 1] * 2)
    outside = ((pred.keypoints < 0).any(-1) |
               (pred.keypoints[..., 0] > width - 1) |
               (pred.keypoints[..., 1] > height - 1))
    pred.keypoint_scores = np.where(outside, 0.0, pred.keypoint_scores)
    panel = visualizer.add_datasample(
        title, image, data_sample=drawn, draw_gt=False,
        draw_bbox=True, kpt_thr=0.3)
    panel = panel.copy()
    cv2.putText(panel, title, (8, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                (255, 255, 255), 4, cv2.LINE_AA)
    cv2.putText(panel, title, (8, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                (0, 0, 0), 2, cv2.LINE_AA)
    return panel, len(results)


def visualise(panels, data_root, out_file):
    """``panels`` (title, config, student-only checkpoint) side by side on
    the val2017 image with the most people, with their ground-truth boxes,
    saved as ``out_file``. Returns (people, image file name)."""
    import mmcv
    import numpy as np

    from tools.dataset_converters.coco_mini import annotation_file
    with open(annotation_file(data_root, 'val2017')) as f:
        coco = json.load(f)

    def people(image):
        return [a['bbox'] for a in coco['annotations']
                if a['image_id'] == image['id'] and a['num_keypoints'] > 0]

    image = max(coco['images'], key=lambda image: len(people(image)))
    boxes = np.array(people(image), dtype=np.float32)
    boxes[:, 2:] += boxes[:, :2]  # xywh -> xyxy
    img_path = osp.join(data_root, 'val2017', image['file_name'])
    drawn = [draw_student(config, ckpt, img_path, boxes, title)
             for title, config, ckpt in panels]
    gap = np.full((drawn[0][0].shape[0], 8, 3), 255, dtype=np.uint8)
    row = [drawn[0][0]]
    for panel, _ in drawn[1:]:
        row += [gap, panel]
    mmcv.imwrite(np.concatenate(row, axis=1)[..., ::-1], out_file)
    return drawn[0][1], image['file_name']


def main():
    args = parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import torch
    torch.set_num_threads(args.threads)
    sys.path.insert(0, REPO)
    import classroomkd_mm  # noqa: F401
    from tools.dataset_converters.coco_mini import check_coco_mini

    start = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    data_root = osp.abspath(args.data_root)
    try:
        found = check_coco_mini(data_root)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'pose demo: {error}')
    log('COCO-MINI at ' + data_root + ': ' + ', '.join(
        f'{split} {people} people' for split, (_, people) in found.items()))
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)  # the spec's config paths start at the repository root
    coco_dir = osp.join(work_dir, 'coco_mini')
    if osp.isdir(coco_dir):  # ours only: a rerun starts afresh
        shutil.rmtree(coco_dir)
    logs = osp.join(coco_dir, 'logs')

    from benchmarks.methods.runs import (classroom_dir, mentor_checkpoint,
                                         read_json, run_method, run_path,
                                         train_classroom)
    from classroomkd_mm.hooks.student_checkpoint_hook import student_path
    from classroomkd_mm.utils.config_files import load_config
    spec, student_epochs = demo_spec(data_root, coco_dir, args.seeds,
                                     args.iter_scale)
    labelled = spec.student_options[
        'train_dataloader.dataset.labelled_people']
    from tools.demo.quiet_runs import output_to_file
    console = sys.stdout
    with output_to_file(osp.join(logs, 'classroom.log')):
        train_classroom(spec, progress=lambda msg: log(msg, console))
    scores = read_json(osp.join(classroom_dir(spec), 'scores.json'))
    mentor_metrics = {m: scores[f'{m}:{mentor_checkpoint(spec, m)}']
                      for m in spec.mentors}
    for name, metrics in mentor_metrics.items():
        log(f'mentor {name}: PCK@0.2 = {100 * metrics["PCK"]:.1f}, '
            f'AP = {100 * metrics["coco/AP"]:.1f}')

    results = {}
    for seed in args.seeds:
        for method in METHODS:
            log(f'student {method}, seed {seed}: {student_epochs} epochs')
            step_log = osp.join(logs, f'{method}_seed_{seed}.log')
            with output_to_file(step_log):
                result = run_method(spec, method, seed, {})
            results[method, seed] = result
            log(f'  PCK@0.2 = {result["score"]:.1f}, AP = '
                f'{100 * result["metrics"]["coco/AP"]:.1f} '
                f'({result["seconds"]:.0f} s, '
                f'{result.get("cpu_seconds", 0):.0f} CPU s)')
    print_table(spec, mentor_metrics, results, student_epochs, args.seeds,
                labelled)

    def mean_pck(method):
        return sum(results[method, s]['score'] for s in args.seeds)

    best = max((m for m in METHODS if m != 'nokd'), key=mean_pck)
    student_config = osp.join(coco_dir, 'student_config.py')
    cfg = load_config(spec.student)
    cfg.merge_from_dict(spec.student_options)
    cfg.dump(student_config)
    seed = args.seeds[0]
    panels = []
    for method in ('nokd', best):
        ckpt = student_path(osp.join(run_path(spec, method, seed),
                                     f'epoch_{student_epochs}.pth'))
        score = results[method, seed]['score']
        panels.append((f'{METHODS[method]} student, seed {seed}: PCK@0.2 '
                       f'{score:.1f}', student_config, ckpt))
    out_file = osp.join(work_dir, f'nokd_vs_{best}_student_coco_mini.png')
    with output_to_file(osp.join(logs, 'visualise.log')):
        people, image = visualise(panels, data_root, out_file)
    log(f'student-only checkpoints of NoKD and {METHODS[best]} (the better '
        f'distilled student by mean PCK@0.2), seed {seed}, loaded with '
        f'mmpose.apis.init_model; inference_topdown on {people} people of '
        f'val2017/{image}; side by side (left NoKD, right {METHODS[best]}) '
        f'in {out_file}')
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    load = ', '.join(f'{x:.1f}' for x in os.getloadavg())
    log(f'pose demo done in {time.time() - start:.0f} s wall, {cpu:.0f} '
        f'CPU s (load average now {load}); outputs in {coco_dir}')


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    from tools.demo.quiet_runs import quiet_console
    with quiet_console():  # what escapes the steps' log files: once
        main()
