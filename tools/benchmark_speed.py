"""Speed and memory of ClassroomKD against its floor, in one process.

For a pose setting (SimpleBaseline ResNet-18 student at 256x192, mentors from
mmpose's own configs) and a classification setting (CIFAR-size ResNets), it
measures the student's plain training step, each mentor's inference pass,
and the full ClassroomKD and AVER steps with 1..5 mentors; prints the ratio
of the ClassroomKD step to the floor (student step + the mentors' inference
passes), the share of ranking and mentoring, the peak memory against its
bound and the host-device synchronising ops; writes markdown and JSON.

    python tools/benchmark_speed.py --quick          # a few minutes
    python tools/benchmark_speed.py                  # both settings, 1..5
    python tools/benchmark_speed.py --settings pose --counts 1 2 3
    python tools/benchmark_speed.py --settings pose_bridged   # bridges' share

Models have random weights (saved to a temporary directory as the mentors'
checkpoints): speed does not depend on them.
"""
import argparse
import os
import os.path as osp
import platform
import sys
import tempfile
import time

import torch

# The repository root, for the project's modules outside the installed
# package (`tools.*`, `benchmarks.*`); Python puts only this script's
# own folder on sys.path.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

DEFAULTS = dict(
    pose=dict(batch=2, counts=(1, 2, 3, 4, 5), iters=4, warmup=1),
    pose_bridged=dict(batch=2, counts=(1, 2, 3, 4, 5), iters=4, warmup=1),
    classification=dict(batch=32, counts=(1, 2, 3, 4, 5), iters=10,
                        warmup=2))
QUICK = dict(
    pose=dict(batch=2, counts=(1, 3), iters=2, warmup=1),
    pose_bridged=dict(batch=2, counts=(1, 3), iters=2, warmup=1),
    classification=dict(batch=8, counts=(1, 3), iters=3, warmup=1))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--settings', nargs='+',
                   default=['classification', 'pose'],
                   choices=['classification', 'pose', 'pose_bridged'],
                   help='pose_bridged: mentors of other input sizes, heads '
                   'and keypoint sets, bridged (not in the default run)')
    p.add_argument('--quick', action='store_true',
                   help='fewer mentor counts and iterations')
    p.add_argument('--counts', nargs='+', type=int,
                   help='mentor counts (1..5)')
    p.add_argument('--iters', type=int, help='timed iterations')
    p.add_argument('--warmup', type=int, help='warm-up iterations')
    p.add_argument('--batch-size', type=int)
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads (default: 1 on the CPU, '
                   'steadier on a shared machine; the default on a GPU)')
    p.add_argument('--probe-steps', type=int, default=3,
                   help='instrumented steps per distiller case')
    p.add_argument('--device', default=None, help='cpu or cuda')
    p.add_argument('--no-memory', action='store_true')
    p.add_argument('--out-dir', default='work_dirs/benchmark_speed')
    return p.parse_args()


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return None


def run_setting(name, opts, device, tmp_dir, memory, probe_steps,
                log):
    from benchmarks.speed import loss_syncs
    from benchmarks.speed.cases import build_cases, mentor_names
    from benchmarks.speed.peak_memory import step_memory
    from benchmarks.speed.settings import SETTINGS
    from benchmarks.speed.substep_probe import probe_step
    from benchmarks.speed.timing import interleaved_times, median

    counts = sorted(set(opts['counts']))
    setting = SETTINGS[name](tmp_dir, batch_size=opts['batch'],
                             num_mentors=max(counts))
    cases = build_cases(setting, counts, device=device)
    log(f'[{name}] {len(cases)} cases; timing...')
    times, walls, system, faults = interleaved_times(
        cases, opts['warmup'], opts['iters'], device, log)
    raw = dict(setting=name, description=setting.description,
               batch_size=opts['batch'], device=str(device),
               threads=torch.get_num_threads(), iters=opts['iters'],
               warmup=opts['warmup'], counts=counts,
               policies=['classroomkd', 'aver'], mentors=mentor_names(cases),
               clock='process CPU time' if device.type == 'cpu' else
               'wall time', times=times, wall_times=walls,
               median={k: median(v) for k, v in times.items()},
               wall_median={k: median(v) for k, v in walls.items()},
               sys_median={k: median(v) for k, v in system.items()},
               faults_median={k: median(v) for k, v in faults.items()})
    log(f'[{name}] medians (ms): ' + ', '.join(
        f'{k} {1000 * v:.0f}' for k, v in raw['median'].items()))
    log(f'[{name}] instrumented steps...')
    raw['substeps'] = {c.name: probe_step(c, probe_steps, device)
                       for c in cases if c.kind == 'distiller'}
    if memory:
        log(f'[{name}] peak memory...')
        raw['memory'] = {c.name: step_memory(c, device) for c in cases}
    log(f'[{name}] host-sync audit...')
    audited = [c for c in cases if c.kind == 'distiller' and
               c.num_mentors in (counts[0], counts[-1])]
    raw['syncs'] = {c.name: dict(loss_syncs(c.distiller, c.batch))
                    for c in audited}
    # Mentors never take gradients: checked on the real distillers.
    for c in cases:
        if c.kind == 'distiller':
            assert all(p.grad is None and not p.requires_grad
                       for m in c.distiller.classroom.mentors().values()
                       for p in m.parameters()), c.name
    return raw


def header(results, start):
    m = results['machine']
    load_after = load_average()
    return (
        '# Speed benchmark (tools/benchmark_speed.py)\n\n'
        f"{m['platform']}, {m['cpus']} CPUs, torch {m['torch']}, device "
        f"{m['device']}{' (' + m['gpu'] + ')' if m['gpu'] else ''}, "
        f"{m['threads']} threads; load average (1, 5, 15 min) before "
        f"{_load(m['load_before'])}, now {_load(load_after)}; "
        f"{time.time() - start:.0f} s so far.")


def _load(load):
    return 'n/a' if load is None else '/'.join(f'{v:.1f}' for v in load)


def main():
    args = parse_args()
    import classroomkd_mm  # noqa: F401
    from benchmarks.speed.speed_report import analyse, write_report

    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    if args.threads:
        torch.set_num_threads(args.threads)
    elif device.type == 'cpu':
        torch.set_num_threads(1)
    os.makedirs(args.out_dir, exist_ok=True)
    start, load_before = time.time(), load_average()

    def log(msg):
        print(f'[{time.time() - start:7.1f}s] {msg}', flush=True)

    results = dict(
        machine=dict(platform=platform.platform(), cpus=os.cpu_count(),
                     threads=torch.get_num_threads(),
                     torch=torch.__version__, device=str(device),
                     gpu=torch.cuda.get_device_name(device)
                     if device.type == 'cuda' else None,
                     load_before=load_before),
        quick=args.quick, settings=[])
    md = osp.join(args.out_dir, 'speed.md')
    js = osp.join(args.out_dir, 'speed.json')
    with tempfile.TemporaryDirectory() as tmp_dir:
        for name in args.settings:
            opts = dict((QUICK if args.quick else DEFAULTS)[name])
            for key, value in (('counts', args.counts),
                               ('iters', args.iters),
                               ('warmup', args.warmup),
                               ('batch', args.batch_size)):
                if value is not None:
                    opts[key] = value
            raw = run_setting(name, opts, device, tmp_dir,
                              not args.no_memory, args.probe_steps, log)
            derived = analyse(raw)
            results['settings'].append(dict(raw=raw, derived=derived))
            for case, ratio in derived['ratio'].items():
                share = derived['overhead_share'].get(case, float('nan'))
                log(f'[{name}] {case}: {1000 * raw["median"][case]:.1f} ms, '
                    f'{ratio:.3f}x floor, ranking+mentoring '
                    f'{100 * share:.2f}%')
            log(f'[{name}] targets: {derived["targets"]}')
            # Written after every setting: a long run keeps what it has.
            results['machine']['load_after'] = load_average()
            write_report(results, md, js, header(results, start))
    write_report(results, md, js, header(results, start))
    log(f'wrote {md} and {js}')


if __name__ == '__main__':
    main()
