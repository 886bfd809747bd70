"""Benchmark distillation methods: ClassroomKD against NoKD, KD, AVER,
CA-MKD, EBKD, DGKD and its own ablations, in one framework.

    python tools/benchmark_methods.py configs/benchmarks/digits_methods.py
    python tools/benchmark_methods.py \
        configs/benchmarks/pose_synthetic_methods.py --workers 2

1. prepares the data (the spec's ``prepare_data``);
2. builds the classroom: trains every mentor training once and caches it
   (snapshots at several epochs give mentors of different strength), then
   scores every mentor with the host metric;
3. distils the student with every method for every seed through MMEngine's
   Runner and the host's own evaluator;
4. writes ``report.md``, ``results.json``, ``scores.png`` and
   ``diagnostics.png`` into the spec's work dir.

Everything finished is kept on disk (mentor checkpoints, one
``result.json`` per run, MMEngine checkpoints of the run in progress): run
the same command again after an interruption and it resumes where it
stopped. ``--workers N`` (or the same command started N times) shares the
work between N processes: each mentor training and each run is claimed by
one of them (a file lock in its folder), so none is done twice. See
``benchmarks/methods/spec.py`` for the spec format.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import time

from tqdm import tqdm

# The repository root, for the project's modules outside the installed
# package (`tools.*`, `benchmarks.*`); Python puts only this script's
# own folder on sys.path.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import classroomkd_mm  # noqa: E402,F401
from benchmarks.methods import load_spec  # noqa: E402
from benchmarks.methods.report import write_report  # noqa: E402
from benchmarks.methods.runs import (classroom_needed, run_method,  # noqa
                                     train_classroom)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('spec', help='benchmark spec file')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='override the spec\'s seeds (and every '
                        'method\'s own)')
    parser.add_argument('--methods', nargs='+',
                        help='run only these methods of the spec')
    parser.add_argument('--work-dir', help='override the spec\'s work_dir')
    parser.add_argument(
        '--workers', type=int, default=1,
        help='processes that share the runs (each claims the next run no '
        'other has; use one per core with the spec\'s num_threads = 1); '
        'the extra ones log to <work_dir>/worker_<n>.log')
    return parser.parse_args()


def start_helpers(args, work_dir):
    """Start ``--workers - 1`` more copies of this command."""
    argv = list(sys.argv[1:])
    if '--workers' in argv:
        at = argv.index('--workers')
        del argv[at:at + 2]
    helpers = []
    for n in range(1, args.workers):
        os.makedirs(work_dir, exist_ok=True)
        log = open(osp.join(work_dir, f'worker_{n}.log'), 'w')
        helpers.append(subprocess.Popen(
            [sys.executable, osp.abspath(__file__), *argv, '--workers', '1'],
            stdout=log, stderr=subprocess.STDOUT))
    return helpers


def main():
    args = parse_args()
    start = time.time()
    spec = load_spec(args.spec, seeds=args.seeds, work_dir=args.work_dir)
    if args.seeds:
        for settings in spec.methods.values():
            settings.pop('seeds', None)
    methods = args.methods or list(spec.methods)
    unknown = [m for m in methods if m not in spec.methods]
    if unknown:
        sys.exit(f'Unknown methods {unknown}; the spec has '
                 f'{list(spec.methods)}.')

    if spec.num_threads:
        # Tiny CPU models: more threads than the convolutions can use only
        # spin (on 2 shared cores, 2 threads are 3-20x slower per forward
        # than 1).
        import torch
        torch.set_num_threads(spec.num_threads)
    tqdm.write(f'[{spec.name}] preparing data')
    spec.run_prepare_data()
    helpers = start_helpers(args, spec.work_dir) if args.workers > 1 else []
    mentor_scores = train_classroom(
        spec, progress=tqdm.write, mentors=classroom_needed(spec, methods))
    for name, score in mentor_scores.items():
        tqdm.write(f'  mentor {name}: {spec.metric} = {score:.2f}')

    jobs = [(m, s) for m in methods for s in spec.method_seeds(m)]
    results = {}
    with tqdm(total=len(jobs), desc=spec.name, unit='run',
              file=sys.stdout) as bar:
        # first every run no other process has claimed, then wait for theirs
        for wait in (False, True):
            for method, seed in jobs:
                if (method, seed) in results:
                    continue
                bar.set_postfix_str(f'{method} seed {seed}')
                result = run_method(spec, method, seed, mentor_scores,
                                    wait=wait)
                if result is None:
                    continue
                results[method, seed] = result
                bar.update()
                tqdm.write(f'  {method:24s} seed {seed}: {spec.metric} = '
                           f'{result["score"]:.2f} '
                           f'({result["seconds"]:.0f} s)')
    for helper in helpers:
        if helper.wait():
            sys.exit(f'A --workers process failed; see '
                     f'{spec.work_dir}/worker_*.log')
    results = [results[job] for job in jobs]

    command = 'python ' + ' '.join(sys.argv)
    paths = write_report(spec.work_dir, spec, results, mentor_scores,
                         command, time.time() - start)
    print(open(paths['markdown']).read())
    for kind, path in paths.items():
        print(f'{kind}: {osp.abspath(path)}')


if __name__ == '__main__':
    main()
