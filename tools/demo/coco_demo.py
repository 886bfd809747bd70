"""Pose part of the main job: ClassroomKD on real COCO people, held out.

Trains on COCO-MINI's train2017 (86 real people) and scores on its disjoint
val2017 (68 people the models never saw), through the method benchmark's
own machinery (``benchmarks/methods``, MMEngine's Runner, mmpose's
``CocoDataset``, ``PCKAccuracy`` and ``CocoMetric``) with the spec
``configs/benchmarks/coco_mini_methods.py`` cut to the main job's size:

1. the classroom: the spec's two mentor trainings (a SimCC and a heatmap
   ResNet-18/32), each trained once, and a late and an early snapshot of
   each (four mentors of two head families and two strengths);
2. the student (SimCC ResNet-18/16, 64x48) alone (NoKD) and with
   ClassroomKD, for each seed;
3. a table: every mentor's score, the students' mean +- std over the
   seeds, and the paired difference ClassroomKD - NoKD (same seed);
4. the ClassroomKD student's student-only checkpoint loaded with
   ``mmpose.apis.init_model``, run with ``inference_topdown`` on the val2017
   image with the most people (its ground-truth boxes) and drawn with
   ``PoseLocalVisualizer``.

The console shows progress lines and the table; MMEngine's and
xtcocotools' output of each step goes to ``<work-dir>/logs/<step>.log``.

    python tools/demo/coco_demo.py [--data-root ../shared/data/coco_mini]
        [--work-dir work_dirs/pose_demo] [--seeds 0 1 2 3 4] [--iter-scale 1]
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPEC = osp.join(REPO, 'configs', 'benchmarks', 'coco_mini_methods.py')
METHODS = ('nokd', 'classroomkd')
#: the main job's training lengths (epochs of 86 people, batch 16): the
#: spec's student (30) and its mentors shortened from 120 epochs to fit the
#: main job's time (each snapshot at the same share of its training)
STUDENT_EPOCHS = 30
MENTOR_EPOCHS = 60
#: the columns of the table: (label, metric key, scale)
COLUMNS = (('PCK@0.2', 'PCK', 100), ('AP', 'coco/AP', 100),
           ('AP50', 'coco/AP .5', 100), ('AR', 'coco/AR', 100))


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
    parser.add_argument('--seeds', type=int, nargs='+',
                        default=[0, 1, 2, 3, 4])
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
    """The spec of configs/benchmarks/coco_mini_methods.py at the main
    job's size: its data at ``data_root``, NoKD and ClassroomKD, ``seeds``,
    the training lengths above times ``iter_scale``."""
    from benchmarks.methods import load_spec
    from classroomkd_mm.utils.config_files import load_config
    from tools.dataset_converters.coco_mini import coco_mini_options

    def scaled(epochs):
        return max(int(round(epochs * iter_scale)), 1)

    spec = load_spec(SPEC, seeds=seeds, work_dir=work_dir)
    spec.name = 'coco_mini_main_job'
    spec.prepare_data = None  # checked by main() with the demo's root
    data = coco_mini_options(data_root)
    student_epochs, mentor_epochs = scaled(STUDENT_EPOCHS), scaled(
        MENTOR_EPOCHS)
    spec.student_options.update(data)
    spec.student_options.update(epoch_options(student_epochs))
    for training in spec.trainings.values():
        training['options'] = {**training.get('options', {}), **data,
                               **epoch_options(mentor_epochs)}
    renamed = {}
    for name, mentor in spec.mentors.items():  # the same share of training
        training = spec.trainings[mentor['training']]
        full = load_config(training['config']).train_cfg.max_epochs
        epoch = max(round(mentor['epoch'] * mentor_epochs / full), 1)
        suffix = f'_e{mentor["epoch"]}'
        if name.endswith(suffix):  # a snapshot's name says its epoch
            name = name[:-len(suffix)] + f'_e{epoch}'
        renamed[name] = dict(mentor, epoch=epoch)
    old_names = dict(zip(spec.mentors, renamed))
    spec.mentors = renamed
    spec.methods = {m: dict(spec.methods[m]) for m in METHODS}
    for settings in spec.methods.values():
        if isinstance(settings.get('mentors'), list):
            settings['mentors'] = [old_names[m] for m in settings['mentors']]
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


def print_table(spec, mentor_metrics, results, student_epochs, seeds):
    """Mentors (one training each), the students' mean +- std over seeds
    and the paired difference on the spec's metric."""
    from benchmarks.methods.runs import mentor_config
    header = f'{"model":<26} {"params":>7} {"epochs":>6} ' + ' '.join(
        f'{label:>13}' for label, _, _ in COLUMNS)
    lines = ['', 'COCO-MINI, held out: trained on train2017 (86 people), '
             f'scored on val2017 (68 other people), GT boxes; mean +- std '
             f'over seeds {seeds}', header, '-' * len(header)]
    for name, metrics in mentor_metrics.items():
        params = count_parameters(mentor_config(spec, name))
        values = ' '.join(f'{scale * metrics[key]:13.1f}'
                          for _, key, scale in COLUMNS)
        lines.append(f'mentor {name:<19} {params / 1e6:6.2f}M '
                     f'{spec.mentors[name]["epoch"]:>6} {values}')
    params = count_parameters(spec.student)
    for method in METHODS:
        runs = [results[method, s]['metrics'] for s in seeds]
        values = ' '.join(
            f'{mean_std([scale * r[key] for r in runs]):>13}'
            for _, key, scale in COLUMNS)
        label = {'nokd': 'NoKD', 'classroomkd': 'ClassroomKD'}[method]
        lines.append(f'student {label:<18} {params / 1e6:6.2f}M '
                     f'{student_epochs:>6} {values}')
    label, key, scale = COLUMNS[0]
    diffs = [scale * (results['classroomkd', s]['metrics'][key] -
                      results['nokd', s]['metrics'][key]) for s in seeds]
    best_ap = 100 * max([m['coco/AP'] for m in mentor_metrics.values()] +
                        [r['metrics']['coco/AP'] for r in results.values()])
    lines.append(
        f'\nClassroomKD - NoKD, paired by seed, {label}: {mean_std(diffs)} '
        f'(per seed: {", ".join(f"{d:+.1f}" for d in diffs)}). OKS AP is '
        f'at most {best_ap:.1f} for any model here (from scratch on 86 '
        'people almost no person reaches OKS 0.5), so PCK@0.2 ranks them. '
        'The spread over seeds is the noise: differences inside it are not '
        'results (docs/benchmarks.md, "COCO-MINI").')
    print('\n'.join(lines) + '\n', flush=True)


def visualise(student_config, student_ckpt, data_root, out_file):
    """Load the student-only checkpoint with mmpose's own API, run top-down
    inference on the val2017 image with the most people, with their
    ground-truth boxes, and draw the predictions with mmpose's visualiser.
    Returns the number of people drawn."""
    import mmcv
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    from mmpose.structures import merge_data_samples
    from mmpose.visualization import PoseLocalVisualizer

    from tools.dataset_converters.coco_mini import annotation_file

    model = init_model(student_config, student_ckpt, device='cpu')
    with open(annotation_file(data_root, 'val2017')) as f:
        coco = json.load(f)

    def people(image):
        return [a['bbox'] for a in coco['annotations']
                if a['image_id'] == image['id'] and a['num_keypoints'] > 0]

    image = max(coco['images'], key=lambda image: len(people(image)))
    boxes = np.array(people(image), dtype=np.float32)
    boxes[:, 2:] += boxes[:, :2]  # xywh -> xyxy
    img_path = osp.join(data_root, 'val2017', image['file_name'])
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
    return len(results), image['file_name']


def main():
    args = parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import torch
    torch.set_num_threads(args.threads)
    sys.path.insert(0, REPO)
    import classroomkd_mm  # noqa: F401
    from tools.dataset_converters.coco_mini import check_coco_mini

    start = time.time()
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
                f'({result["seconds"]:.0f} s)')
    print_table(spec, mentor_metrics, results, student_epochs, args.seeds)

    run_dir = run_path(spec, 'classroomkd', args.seeds[0])
    student_ckpt = student_path(osp.join(run_dir,
                                         f'epoch_{student_epochs}.pth'))
    student_config = osp.join(coco_dir, 'student_config.py')
    cfg = load_config(spec.student)
    cfg.merge_from_dict(spec.student_options)
    cfg.dump(student_config)
    out_file = osp.join(work_dir, 'classroomkd_student_coco_mini_vis.jpg')
    with output_to_file(osp.join(logs, 'visualise.log')):
        people, image = visualise(student_config, student_ckpt, data_root,
                                  out_file)
    log(f'student-only checkpoint {student_ckpt} loaded with '
        f'mmpose.apis.init_model; inference_topdown on {people} people of '
        f'val2017/{image}; visualisation written to {out_file}')
    log(f'pose demo done in {time.time() - start:.0f} s; outputs in '
        f'{coco_dir}')


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    from tools.demo.quiet_runs import quiet_console
    with quiet_console():  # what escapes the steps' log files: once
        main()
