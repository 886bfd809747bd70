"""Benchmark pose students: accuracy, size, FLOPs and CPU latency in one table.

    python tools/benchmark_students.py \
        --model configs/pose/samples/td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py \
            zoo/res18_classroomkd-1a2b3c4d.pth \
        --model <config> <student checkpoint> ... \
        --out-dir work_dirs/benchmark_students

For every ``(config, checkpoint)`` pair (a plain mmpose student config and a
student-only checkpoint: ``tools/export_student.py`` output or a
``*_student.pth``; a ClassroomKD config or checkpoint gives its student, as
in ``tools/test.py``, and a checkpoint that does not fit the student is an
error, never a score of random weights):

- accuracy from the config's own test loop and evaluator through MMEngine's
  ``Runner.test()``: AP/AR with ``CocoMetric``, PCKh with
  ``MpiiPCKAccuracy``, whatever the config's ``test_evaluator`` reports;
- parameters and FLOPs of one input from MMEngine's
  ``get_model_complexity_info`` (input size from the head's codec);
- CPU latency per image: median of ``--runs`` timed calls of mmpose's
  ``inference_topdown`` on one image (``--image``, default the first test
  image) with one whole-image box, after ``--warmup`` untimed calls;
- the network alone in PyTorch and in ONNX Runtime: the student exported by
  ``tools/deploy_student.py`` (checked against PyTorch there) and the same
  image's network input (test pipeline and data preprocessor, the
  whole-image box), ``--runs`` timed calls of each after ``--warmup``,
  interleaved (a PyTorch call, then an ONNX Runtime call), the medians;
  both on ``--threads`` threads (torch's ``set_num_threads``, the session's
  ``intra_op_num_threads``).

Writes ``results.md`` (a markdown table) and ``results.json`` into
``--out-dir`` and prints the table; a tqdm bar shows the progress.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time

import torch
from mmengine.config import Config, DictAction
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401  (safe checkpoint loading)
from classroomkd_mm.apis import (is_distiller_config,  # noqa: E402
                                 student_only_config, train_and_test)
from classroomkd_mm.utils.student_weights import \
    load_student_for_evaluation  # noqa: E402
from tools import deploy_student  # noqa: E402

# (column title, metric key suffix) in the order they appear in the table
METRIC_COLUMNS = (('AP', '/AP'), ('AP50', '/AP .5'), ('AR', '/AR'),
                  ('PCKh', '/PCKh'), ('PCKh@0.1', '/PCKh@0.1'),
                  ('PCK', '/PCK'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Accuracy, parameters, FLOPs and CPU latency of pose '
        'students (mmpose configs + student checkpoints).')
    parser.add_argument(
        '--model', nargs=2, action='append', required=True,
        metavar=('CONFIG', 'CHECKPOINT'),
        help='a plain student config and its student-only checkpoint; '
        'repeat for more students')
    parser.add_argument('--out-dir', default='work_dirs/benchmark_students')
    parser.add_argument('--runs', type=int, default=5,
                        help='timed inference runs per student (median)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--image', help='image for the latency runs '
                        '(default: the first image of the test set)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads and the ONNX Runtime session\'s '
                        'intra_op_num_threads for the latency runs')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='overrides applied to every config, e.g. '
        'test_dataloader.dataset.data_root=data/samples/coco/')
    return parser.parse_args(argv)


def student_name(config, checkpoint):
    return osp.splitext(osp.basename(checkpoint))[0] or \
        osp.splitext(osp.basename(config))[0]


def load_student_config(config, checkpoint, cfg_options, work_dir, name):
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg = student_only_config(cfg)
    cfg.load_from = None  # loaded strictly (load_student_for_evaluation)
    cfg.resume = False
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    cfg.launcher = 'none'
    cfg.log_level = 'WARNING'
    return cfg


def input_shape_of(model):
    """``(3, H, W)`` from the head's codec (``input_size`` is ``(w, h)``)."""
    decoder = getattr(model.head, 'decoder', None)
    size = getattr(decoder, 'input_size', None) or getattr(
        model.head, 'input_size', None)
    if size is None:
        raise ValueError(f'{type(model.head).__name__} has no codec '
                         'input_size; cannot size the FLOPs input.')
    width, height = (int(v) for v in size)
    return (3, height, width)


class TensorMode(torch.nn.Module):
    """``model(inputs, None, mode='tensor')``: what one input costs, backbone
    and head, without the data samples mmpose's ``forward`` asks for."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, inputs):
        return self.model(inputs, None, mode='tensor')


def complexity(model):
    from mmengine.analysis import get_model_complexity_info
    shape = input_shape_of(model)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        info = get_model_complexity_info(TensorMode(model), input_shape=shape,
                                         show_table=False, show_arch=False)
    model.train(was_training)
    return dict(params=int(info['params']), flops=int(info['flops']),
                input_shape=list(shape))


def first_test_image(cfg):
    from mmpose.registry import DATASETS
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    return dataset.get_data_info(0)['img_path']


def latency_ms(model, image, runs, warmup):
    """Median wall time (ms) of ``inference_topdown`` on one image with one
    whole-image box, after ``warmup`` untimed calls."""
    from mmpose.apis import inference_topdown
    for _ in range(warmup):
        inference_topdown(model, image)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        inference_topdown(model, image)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), times


def network_latency_ms(model, config, checkpoint, cfg, image, onnx_stem,
                       runs, warmup, threads):
    """Medians (ms) of the network alone on ``image``'s network input: the
    PyTorch student (``mode='tensor'``) and its ONNX export in ONNX Runtime,
    calls interleaved; and the export's max abs difference from PyTorch."""
    info = deploy_student.deploy_student(config, checkpoint, onnx_stem,
                                         image=image)
    task = deploy_student.task_of(model)
    x = deploy_student.network_input(model, cfg, image, task)
    net = deploy_student.TensorOutputs(model).eval()
    session = deploy_student.ort_session(info['onnx']['path'], threads)
    feed = {deploy_student.INPUT_NAME: x.numpy()}
    torch_times, ort_times = [], []
    with torch.no_grad():
        for i in range(warmup + runs):
            start = time.perf_counter()
            net(x)
            middle = time.perf_counter()
            session.run(None, feed)
            end = time.perf_counter()
            if i >= warmup:
                torch_times.append((middle - start) * 1000.0)
                ort_times.append((end - middle) * 1000.0)
    return dict(torch_net_latency_ms=statistics.median(torch_times),
                ort_net_latency_ms=statistics.median(ort_times),
                torch_net_runs_ms=torch_times, ort_net_runs_ms=ort_times,
                onnx=info['onnx']['path'],
                onnx_max_abs_difference=info['check']['max_abs_difference'])


def benchmark_one(config, checkpoint, args, work_dir, step):
    from mmpose.apis import init_model
    name = student_name(config, checkpoint)
    cfg = load_student_config(config, checkpoint, args.cfg_options,
                              work_dir, name)
    step('evaluate')  # the config's own test loop and evaluator
    metrics = {k: float(v) for k, v in train_and_test(
        cfg, train=False, load_from=checkpoint).items()}
    step('complexity')
    model = init_model(cfg, None, device=args.device)
    load_student_for_evaluation(model, checkpoint, config,
                                is_distiller_config(Config.fromfile(config)))
    size = complexity(model)
    step('latency')
    image = args.image or first_test_image(cfg)
    median, times = latency_ms(model, image, args.runs, args.warmup)
    step('onnx')
    network = network_latency_ms(
        model, config, checkpoint, cfg, image, osp.join(work_dir, name),
        args.runs, args.warmup, args.threads)
    return dict(name=name, config=config, checkpoint=checkpoint,
                metrics=metrics, **size, latency_ms=median,
                latency_runs_ms=times, latency_image=image, **network)


def metric_columns(rows):
    columns = []
    for title, suffix in METRIC_COLUMNS:
        keys = [next((k for k in r['metrics'] if k.endswith(suffix)), None)
                for r in rows]
        if any(keys):
            columns.append((title, keys))
    return columns


def markdown_table(rows):
    columns = metric_columns(rows)
    head = ['Student'] + [t for t, _ in columns] + [
        'Params (M)', 'FLOPs (G)', 'CPU latency (ms/img)',
        'PyTorch net (ms/img)', 'ONNX Runtime net (ms/img)']
    lines = ['| ' + ' | '.join(head) + ' |',
             '| ' + ' | '.join(['---'] + ['---:'] * (len(head) - 1)) + ' |']
    for i, row in enumerate(rows):
        cells = [row['name']]
        for _, keys in columns:
            key = keys[i]
            cells.append('-' if key is None else
                         f"{row['metrics'][key]:.4f}")
        cells += [f"{row['params'] / 1e6:.3f}", f"{row['flops'] / 1e9:.4f}",
                  f"{row['latency_ms']:.1f}",
                  f"{row['torch_net_latency_ms']:.2f}",
                  f"{row['ort_net_latency_ms']:.2f}"]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def environment(args):
    return dict(device=args.device, torch=torch.__version__,
                threads=torch.get_num_threads(), cpu=platform.processor() or
                platform.machine(), cpu_count=os.cpu_count(),
                cpu_capability=torch.backends.cpu.get_cpu_capability(),
                onnxruntime=onnxruntime_version(),
                runs=args.runs, warmup=args.warmup)


def onnxruntime_version():
    import onnxruntime
    return onnxruntime.__version__


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    rows = []
    with tqdm(total=4 * len(args.model), desc='benchmark', unit='step') as bar:
        for i, (config, checkpoint) in enumerate(args.model):
            name = student_name(config, checkpoint)

            def step(stage, _name=name):
                bar.set_postfix_str(f'{_name}: {stage}')
                if stage != 'evaluate':
                    bar.update(1)

            work_dir = osp.join(args.out_dir, f'{i}_{name}')
            rows.append(benchmark_one(config, checkpoint, args, work_dir,
                                      step))
            bar.update(1)
    table = markdown_table(rows)
    with open(osp.join(args.out_dir, 'results.md'), 'w') as f:
        f.write(table)
    with open(osp.join(args.out_dir, 'results.json'), 'w') as f:
        json.dump(dict(environment=environment(args), students=rows), f,
                  indent=2)
    print(table)
    return rows


if __name__ == '__main__':
    main()
