"""ClassroomKD steps on CUDA with the mentors' programs against the eager
floor: ``engine='compiled'`` (torch.compile + autocast) and
``engine='onnxruntime'`` (onnxruntime-gpu: CUDA provider, TensorRT where
installed, IO binding on torch's stream), with the step's memory.

For each setting of the speed benchmark (``benchmarks/speed/settings.py``)
and each mentor count ``k`` it builds the cases of the speed benchmark on
the GPU (the student's training step, each mentor's eager pass, ClassroomKD's
``train_step`` with ``k`` mentors) and, per option set, runs the distiller's
mentors through that set's programs and times all cases in interleaved
rounds (CUDA synchronised around each case, wall clock). The ratio reported
per round is ``step / (student step + the k eager mentor passes)`` of the
same round. Memory per option set and ``k``: torch's peak allocation during
one step (``torch.cuda.max_memory_allocated``) and what the device lost
while the programs were built (``torch.cuda.mem_get_info``: an engine's
sessions and weights, which torch's allocator does not see).

Without a CUDA device (or torch without CUDA) it says so and exits 0,
writing ``{"skipped": reason}`` to ``--out``.

    python tools/benchmark_mentor_programs_gpu.py --settings pose classification
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

OPTIONS = {
    'compiled': dict(engine='compiled', precision='fp32'),
    'compiled+bf16': dict(engine='compiled', precision='bf16'),
    'compiled+fp16': dict(engine='compiled', precision='fp16'),
    'ort': dict(engine='onnxruntime', precision='fp32'),
    'ort+trt16': dict(engine='onnxruntime', precision='fp16'),
}
BATCH = dict(pose=32, classification=128)
MIB = 2**20


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--settings', nargs='+', default=['classification',
                                                     'pose'],
                   choices=['classification', 'pose'])
    p.add_argument('--counts', nargs='+', type=int, default=[3, 5])
    p.add_argument('--options', nargs='+', default=list(OPTIONS),
                   choices=list(OPTIONS))
    p.add_argument('--batch', type=int, default=None,
                   help='batch size (default: pose 32, classification 128)')
    p.add_argument('--iters', type=int, default=10, help='timed rounds')
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--out', default='work_dirs/benchmark_mentor_programs_gpu'
                   '/gpu.json')
    return p.parse_args(argv)


def unavailable(option: dict):
    """Why ``option`` cannot run on this machine (None: it can)."""
    if option['engine'] != 'onnxruntime':
        if option['precision'] == 'bf16' and \
                not torch.cuda.is_bf16_supported():
            return 'this GPU has no bf16'
        return None
    try:
        import onnxruntime as ort
    except ImportError:
        return 'onnxruntime is not installed'
    providers = ort.get_available_providers()
    if 'CUDAExecutionProvider' not in providers:
        return f'onnxruntime has no CUDA provider ({providers}): ' \
            'pip install onnxruntime-gpu'
    if option['precision'] == 'fp16' and \
            'TensorrtExecutionProvider' not in providers:
        return 'onnxruntime has no TensorRT provider'
    return None


def device_used(device) -> int:
    free, total = torch.cuda.mem_get_info(device)
    return total - free


def measure(setting, counts, options, args, device, log) -> dict:
    from benchmarks.speed.cases import build_cases
    from benchmarks.speed.mentor_programs import use_programs
    from benchmarks.speed.timing import interleaved_times
    cases = build_cases(setting, counts, policies=('classroomkd', ),
                        device=device)
    fixed = [c for c in cases if c.kind != 'distiller']
    steps = [c for c in cases if c.kind == 'distiller']
    names = [c.name.split(':', 1)[1] for c in fixed if c.kind == 'mentor']
    runs, memory = [], []
    for option, runtime in [('eager', dict(engine='eager'))] + list(
            options.items()):
        before = device_used(device)
        shared = {}  # one program per mentor for every k
        for case in steps:
            use_programs(case.distiller, runtime, shared)
            case.run()  # builds and checks the programs
        torch.cuda.synchronize(device)
        held = device_used(device) - before
        for case in steps:
            torch.cuda.reset_peak_memory_stats(device)
            start = torch.cuda.memory_allocated(device)
            case.run()
            torch.cuda.synchronize(device)
            memory.append(dict(
                options=option, mentors=case.num_mentors,
                torch_peak_mib=torch.cuda.max_memory_allocated(device) / MIB,
                torch_transient_mib=(torch.cuda.max_memory_allocated(device)
                                     - start) / MIB,
                built_mib=held / MIB))
        log(f'[{setting.name}] {option}: timing')
        times = interleaved_times(fixed + steps, args.warmup, args.iters,
                                  device, log)[1]  # wall, synchronised
        for case in steps:
            k = case.num_mentors
            floor = [sum(v) for v in zip(
                times['student'], *(times[f'mentor:{n}'] for n in names[:k]))]
            ratios = [t / f for t, f in zip(times[case.name], floor)]
            runs.append(dict(
                options=option, mentor_runtime=runtime, mentors=k,
                step_ms=statistics.median(times[case.name]) * 1e3,
                floor_ms=statistics.median(floor) * 1e3,
                step_over_eager_floor=statistics.median(ratios),
                spread=[min(ratios), max(ratios)], rounds=len(ratios)))
            log(f'[{setting.name}] {option}@{k}: '
                f'{runs[-1]["step_over_eager_floor"]:.3f}')
        for case in steps:
            use_programs(case.distiller, dict(engine='eager'))
        torch.cuda.empty_cache()
    return dict(runs=runs, memory=memory)


def main(argv=None):
    args = parse_args(argv)
    out_dir = osp.dirname(osp.abspath(args.out))
    if not torch.cuda.is_available():
        reason = ('no CUDA device (torch.cuda.is_available() is False): '
                  'nothing timed')
        print(reason)
        os.makedirs(out_dir, exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(skipped=reason), f)
        return 0
    import classroomkd_mm  # noqa: F401
    from benchmarks.speed.settings import SETTINGS
    device = torch.device('cuda', torch.cuda.current_device())
    start = time.time()

    def log(msg):
        print(f'[{time.time() - start:7.1f}s] {msg}', flush=True)

    options, skipped = {}, {}
    for name in args.options:
        why = unavailable(OPTIONS[name])
        if why is None:
            options[name] = dict(OPTIONS[name])
        else:
            skipped[name] = why
            log(f'{name} left out: {why}')
    out = dict(tool='tools/benchmark_mentor_programs_gpu.py',
               machine=dict(gpu=torch.cuda.get_device_name(device),
                            platform=platform.platform(),
                            torch=torch.__version__,
                            cuda=torch.version.cuda),
               clock='wall, CUDA synchronised', options=options,
               left_out=skipped, settings={})
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        for runtime in options.values():
            if runtime['engine'] == 'onnxruntime':
                runtime['cache_dir'] = osp.join(tmp_dir, 'mentor_engine')
        for name in args.settings:
            setting = SETTINGS[name](
                tmp_dir, batch_size=args.batch or BATCH[name],
                num_mentors=max(args.counts))
            out['settings'][name] = measure(setting, args.counts, options,
                                            args, device, log)
            with open(args.out, 'w') as f:
                json.dump(out, f, indent=1)
    log(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
