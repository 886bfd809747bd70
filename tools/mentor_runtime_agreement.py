"""KnowledgeFilter's (sample, mentor) active decisions with the mentors run
through a ``mentor_runtime`` (an inference engine, bf16) against the same
decisions with the mentors run eagerly in float32, on the same inputs and
the same trained student.

It takes a benchmark spec whose classroom and runs have finished
(``tools/benchmark_methods.py``): the reference method's distiller is built
from the spec (its trained classroom and the student of one finished run,
``--seed``), and the training set is passed through the distiller's
``loss`` once per batch for each compared method's ``mentor_runtime``
(taken from the spec's ``distiller_options``; mentor skipping is not used),
the student's forward the same each time (train mode, as in training, the
random generators reset before each pass; the data's draws seeded by
``--seed``, so a second call passes the same batches). The policy's active
mask ``a_m(i)`` of every pass is recorded; a pair agrees when its decision
is the same as with the reference method's mentors.

    python tools/mentor_runtime_agreement.py \\
        configs/benchmarks/digits_mentor_runtime.py \\
        --against classroomkd_ort classroomkd_ov_bf16 \\
        --cfg-options train_dataloader.dataset.data_prefix=train

Writes ``<work_dir>/agreement/agreement_seed_<seed>.json`` (or ``--out``).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import torch
from mmengine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('spec', help='benchmark spec file (finished runs)')
    parser.add_argument('--method', default='classroomkd',
                        help='the reference method (eager fp32 mentors)')
    parser.add_argument('--against', nargs='+', required=True,
                        help="methods of the spec whose mentor_runtime is "
                        "compared with the reference method's")
    parser.add_argument('--seed', type=int, default=0,
                        help='the finished run whose student is used')
    parser.add_argument('--max-samples', type=int,
                        help='stop after this many training samples '
                        '(default: the whole training set)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='options merged into the run config (the data to pass, e.g. '
        'train_dataloader.dataset.data_prefix=train for the whole digits '
        'training set instead of the student\'s 30%%)')
    parser.add_argument(
        '--tolerance', type=float,
        help="mentor_runtime.tolerance of the compared runtimes (their "
        "first-batch check against the eager mentor; default: the "
        "runtime's own)")
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--out', help='JSON file to write')
    return parser.parse_args()


def finished_checkpoint(run_dir: str) -> str:
    """The checkpoint a finished run's Runner recorded last."""
    record = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(osp.join(run_dir, 'result.json')):
        raise FileNotFoundError(
            f'{run_dir} has no result.json: the run has not finished. Run '
            'tools/benchmark_methods.py on the spec first.')
    try:
        with open(record) as f:
            path = f.read().strip()
    except OSError as error:
        raise FileNotFoundError(
            f'{record} cannot be read ({error}); the run keeps no '
            'checkpoint record. Rerun it (delete its folder).') from error
    if not path or not osp.isfile(path):
        raise FileNotFoundError(
            f'{record} names {path!r}, which is not a file; rerun the run '
            f'(delete {run_dir}).')
    return path


def method_runtime(spec, method: str, cache_dir: str,
                   tolerance=None) -> dict:
    if method not in spec.methods:
        raise KeyError(f'{method!r} is not a method of {spec.name!r}: '
                       f'{sorted(spec.methods)}')
    options = spec.methods[method].get('distiller_options') or {}
    runtime = dict(options.get('mentor_runtime') or {})
    if runtime.get('engine') in ('onnxruntime', 'openvino', 'auto'):
        runtime.setdefault('cache_dir', cache_dir)
    if runtime and runtime.get('engine') != 'eager' and \
            tolerance is not None:
        runtime['tolerance'] = tolerance
    return runtime


def build_distiller(spec, method: str, seed: int, cfg_options: dict):
    """The reference method's distiller with the spec's trained classroom
    and the student of its finished run ``seed``; and its config."""
    from mmengine.registry import MODELS, init_default_scope

    from benchmarks.methods.runs import (classroom_needed, method_config,
                                         run_path, train_classroom)
    from classroomkd_mm.utils.student_weights import \
        load_student_for_evaluation
    scores = train_classroom(spec, progress=lambda message: None,
                             mentors=classroom_needed(spec, [method]))
    mentors = spec.method_mentors(method, scores)
    cfg = method_config(spec, method, mentors)
    cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope'))
    model = dict(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    model.pop('mentor_skipping', None)
    model.pop('mentor_runtime', None)
    distiller = MODELS.build(model)
    checkpoint = finished_checkpoint(run_path(spec, method, seed))
    load_student_for_evaluation(distiller.student, checkpoint,
                                config=spec.student, distiller_config=True)
    return distiller, cfg, checkpoint, {m: scores[m] for m in mentors}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    import classroomkd_mm  # noqa: F401
    from mmengine.runner import Runner, set_random_seed

    from benchmarks.methods import load_spec
    from benchmarks.speed.mentor_programs import use_programs
    from tools.benchmark_mentor_runtime import cpu_model
    spec = load_spec(args.spec)
    out_dir = osp.join(spec.work_dir, 'agreement')
    os.makedirs(out_dir, exist_ok=True)
    out_path = args.out or osp.join(out_dir,
                                    f'agreement_seed_{args.seed}.json')
    load_before = os.getloadavg()
    started = time.time()
    distiller, cfg, checkpoint, scores = build_distiller(
        spec, args.method, args.seed, args.cfg_options)
    compared = [args.method] + [m for m in args.against if m != args.method]
    cache_dir = osp.join(out_dir, 'mentor_engine')
    runtimes = {m: method_runtime(spec, m, cache_dir, args.tolerance)
                for m in compared}
    programs = {m: {} for m in compared}

    plans = {}
    policy = distiller.policy

    def recording(evidence):
        plan = policy(evidence)
        plans[current] = plan.active.clone()
        return plan

    distiller.policy = recording
    distiller.train()
    set_random_seed(args.seed)  # the transforms' draws (numpy, random)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    names = list(distiller.classroom.names)
    zeros = torch.zeros(len(names), dtype=torch.long)
    counts = {m: dict(agreed=zeros.clone(), active=zeros.clone())
              for m in compared}
    samples = 0
    with torch.no_grad():
        for step, batch in enumerate(loader):
            data = distiller.data_preprocessor(batch, True)
            if args.max_samples is not None:
                keep = args.max_samples - samples
                data = dict(inputs=data['inputs'][:keep],
                            data_samples=data['data_samples'][:keep])
            for current in compared:
                programs[current] = use_programs(
                    distiller, runtimes[current], programs[current])
                torch.manual_seed(step)
                distiller.loss(**data)
            reference = plans[args.method]
            for m in compared:
                counts[m]['agreed'] += (plans[m] == reference).sum(1)
                counts[m]['active'] += plans[m].sum(1)
            samples += reference.shape[1]
            if args.max_samples is not None and samples >= args.max_samples:
                break
    pairs = samples * len(names)
    results = []
    for m in compared[1:]:
        agreed = counts[m]['agreed']
        results.append(dict(
            method=m, mentor_runtime=spec.methods[m].get(
                'distiller_options', {}).get('mentor_runtime'),
            pairs=pairs, agreed=int(agreed.sum()),
            agreement=float(agreed.sum()) / pairs,
            active=int(counts[m]['active'].sum()),
            per_mentor={n: dict(agreed=int(agreed[i]), pairs=samples,
                                active=int(counts[m]['active'][i]))
                        for i, n in enumerate(names)}))
    out = dict(
        spec=spec.name, reference=args.method, seed=args.seed,
        cfg_options=args.cfg_options, tolerance=args.tolerance,
        student_checkpoint=checkpoint, mentors=scores, samples=samples,
        pairs=pairs, active_reference=int(counts[args.method]['active'].sum()),
        results=results, seconds=round(time.time() - started, 1),
        machine=dict(cpu=cpu_model(), cores=os.cpu_count(),
                     cpu_capability=torch.backends.cpu.get_cpu_capability(),
                     threads=torch.get_num_threads(),
                     torch=torch.__version__, load_before=load_before,
                     load_after=os.getloadavg()))
    with open(out_path, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'wrote {out_path}')
    for r in results:
        print(f"{r['method']}: {r['agreed']}/{r['pairs']} pairs agree "
              f"({r['agreement']:.5f}); active {r['active']} vs "
              f"{out['active_reference']} eager")


if __name__ == '__main__':
    main()
