"""Benchmark distillation methods: ClassroomKD against NoKD, KD, AVER,
CA-MKD, EBKD, DGKD and its own ablations, in one framework.

    python tools/benchmark_methods.py configs/benchmarks/digits_methods.py

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
stopped. See ``classroomkd_mm/benchmark/spec.py`` for the spec format.
"""
import argparse
import os.path as osp
import sys
import time

from tqdm import tqdm

import classroomkd_mm  # noqa: F401
from classroomkd_mm.benchmark import load_spec
from classroomkd_mm.benchmark.report import write_report
from classroomkd_mm.benchmark.runs import (classroom_needed, run_method,
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
    return parser.parse_args()


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
        # spin (2 threads were 3-20x slower per forward than 1 here).
        import torch
        torch.set_num_threads(spec.num_threads)
    tqdm.write(f'[{spec.name}] preparing data')
    spec.run_prepare_data()
    mentor_scores = train_classroom(
        spec, progress=tqdm.write, mentors=classroom_needed(spec, methods))
    for name, score in mentor_scores.items():
        tqdm.write(f'  mentor {name}: {spec.metric} = {score:.2f}')

    jobs = [(m, s) for m in methods for s in spec.method_seeds(m)]
    results = []
    with tqdm(jobs, desc=spec.name, unit='run', file=sys.stdout) as bar:
        for method, seed in bar:
            bar.set_postfix_str(f'{method} seed {seed}')
            result = run_method(spec, method, seed, mentor_scores)
            results.append(result)
            tqdm.write(f'  {method:24s} seed {seed}: {spec.metric} = '
                       f'{result["score"]:.2f} ({result["seconds"]:.0f} s)')

    command = 'python ' + ' '.join(sys.argv)
    paths = write_report(spec.work_dir, spec, results, mentor_scores,
                         command, time.time() - start)
    print(open(paths['markdown']).read())
    for kind, path in paths.items():
        print(f'{kind}: {osp.abspath(path)}')


if __name__ == '__main__':
    main()
