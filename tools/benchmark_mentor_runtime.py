"""ClassroomKD steps with the mentors' programs against the eager floor.

For each setting of the speed benchmark (pose: SimpleBaseline ResNet-18
student at 256x192 with mentors from mmpose's own configs; classification:
CIFAR-size ResNets), each thread count and each mentor count ``k``, it times
in interleaved rounds (one process): the student's training step, each
mentor's eager inference pass, and ClassroomKD's ``train_step`` with the
mentors run eagerly and through each program option set
(``mentor_runtime``: an engine, or ``torch.compile``). The ratio reported
per round is ``step / (student step + the k eager mentor passes)`` of the
same round (the eager floor). It also measures peak memory against the speed
benchmark's bound (a mentor's module counted only where its program runs
it: an engine program holds all it runs, and the classroom frees the
module), and how many of KnowledgeFilter's (sample, mentor) active decisions
flip when the mentors run on an engine or in bf16 instead of eagerly.

With ``--skip-fractions f ...`` it also times ClassroomKD with
``mentor_skipping`` on, for the option sets of ``--skip-options``, in a skip
state made from a real pass: the distiller's error cache holds each mentor's
error on each sample of the batch from one eager pass, and the share ``f`` of
the (sample, mentor) pairs where the mentor is furthest behind the student
(largest ``(e_m - e_s) / score_scale``) is marked as far behind (cached error
1e6), so that the skipping rule (margin 1, re-probe fraction 0) skips them.
That state is restored before every step (the step would otherwise update
it). The skipped fraction logged by the steps is reported.

    python tools/benchmark_mentor_runtime.py               # both settings
    python tools/benchmark_mentor_runtime.py --settings pose --threads 1

Models have random weights: speed does not depend on them (the flip rate
does; it is measured on random mentors and says so).
"""
import argparse
import copy
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

# ``mentor_runtime`` of each option set (classroomkd_mm/models/classroom/)
OPTIONS = {
    'eager': dict(engine='eager'),
    'ort': dict(engine='onnxruntime', precision='fp32'),
    'ov': dict(engine='openvino', precision='fp32'),
    'ov+bf16': dict(engine='openvino', precision='bf16'),
}
COMPILED = {'compiled': dict(engine='compiled', precision='fp32'),
            'compiled+bf16': dict(engine='compiled', precision='bf16')}
ENGINES = ('onnxruntime', 'openvino')
BATCH = dict(pose=2, classification=32)
FLIP_BATCH = dict(pose=8, classification=64)
MIB = 2**20
SKIPPED = {}  # (setting, option, k): skipped share logged by each step


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--settings', nargs='+',
                   default=['classification', 'pose'],
                   choices=['classification', 'pose'])
    p.add_argument('--counts', nargs='+', type=int, default=[3, 5])
    p.add_argument('--threads', nargs='+', type=int, default=[1, 2])
    p.add_argument('--iters', type=int, default=3, help='timed rounds')
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--repeats', type=int, default=2,
                   help='timing blocks per thread count (spread)')
    p.add_argument('--options', nargs='+', default=list(OPTIONS),
                   choices=list(OPTIONS), help='runtime option sets timed '
                   "('eager' is always timed: it is today's step)")
    p.add_argument('--skip-fractions', nargs='*', type=float, default=[],
                   help='time mentor skipping with these shares of the '
                   '(sample, mentor) pairs skipped')
    p.add_argument('--skip-options', nargs='+', default=['eager', 'ort'],
                   choices=list(OPTIONS) + list(COMPILED),
                   help='runtime option sets timed with skipping (the '
                   'compiled ones with --compile)')
    p.add_argument('--no-flips', action='store_true',
                   help='skip the bf16-vs-fp32 active-set measurement')
    p.add_argument('--compile', action='store_true',
                   help="also time engine='compiled' (torch.compile)")
    p.add_argument('--no-memory', action='store_true')
    p.add_argument('--out', default='work_dirs/benchmark_mentor_runtime/'
                   'below_floor.json')
    return p.parse_args()


def skip_state(d, batch, fraction):
    """From one pass of ``d`` (a distiller with mentor skipping, its cache
    empty, so every mentor runs on every sample) on ``batch``: the cache
    state (``d.classroom.state_dict()``) that marks the ``fraction`` of
    (sample, mentor) pairs where the mentor is furthest behind the student
    as far behind, the other pairs at their measured errors."""
    errors = {}
    original = d.policy

    def recording(evidence):
        errors['student'] = evidence.paired_student_errors
        errors['mentors'] = evidence.mentor_errors
        errors['scale'] = evidence.score_scale
        return original(evidence)

    d.policy = recording
    with torch.no_grad():
        data = d.data_preprocessor(batch, True)
        d.loss(**data)
    d.policy = original
    gaps = (errors['mentors'] - errors['student']) / errors['scale']
    n = len(batch['data_samples'])
    state = {k: v.clone() for k, v in d.classroom.state_dict().items()}
    cached = errors['mentors'].t().clone().float()
    chosen = gaps.flatten().argsort(descending=True)[
        :round(fraction * gaps.numel())]
    marked = torch.zeros(gaps.numel(), dtype=torch.bool)
    marked[chosen] = True
    cached[marked.view_as(gaps).t()] = 1e6
    state['skip_cache.errors'][:n] = cached
    return state


def build(setting, counts, options, skip_fractions=(), skip_options=()):
    """Cases: the student step, each eager mentor pass, and a ClassroomKD
    distiller per (option set, k). Mentors are built once and shared; so
    are the programs of one option set."""
    from benchmarks.speed.cases import (OPTIMIZER, POLICIES, Case,
                                        _state_tensors)
    from benchmarks.speed.mentor_programs import held_tensors, use_programs
    from mmengine.optim import build_optim_wrapper

    from classroomkd_mm.models import ClassroomDistiller
    from classroomkd_mm.registry import MODELS

    batch = setting.batch
    for i, sample in enumerate(batch['data_samples']):
        sample.set_metainfo(dict(sample_idx=i))
    torch.manual_seed(0)
    student = MODELS.build(copy.deepcopy(setting.student)).train()
    student_ow = build_optim_wrapper(student, copy.deepcopy(OPTIMIZER))
    cases = [Case('student', 'student',
                  lambda: student.train_step(batch, student_ow),
                  lambda: _state_tensors(student, student_ow))]
    holder = ClassroomDistiller(student=setting.student,
                                mentors=setting.mentors)
    mentors, adapter = holder.classroom.mentors(), holder.adapter
    with torch.no_grad():
        inputs = holder.data_preprocessor(batch, True)['inputs']
    for name, mentor in mentors.items():
        def mentor_pass(mentor=mentor):
            with torch.no_grad():
                return adapter.forward(mentor, inputs)
        cases.append(Case(f'mentor:{name}', 'mentor', mentor_pass,
                          lambda mentor=mentor: _state_tensors(mentor)))
    policy, mentoring = POLICIES['classroomkd']
    names = list(mentors)
    distillers, programs = {}, {}

    def distiller(k, runtime, shared, **kwargs):
        torch.manual_seed(0)
        d = ClassroomDistiller(
            student=setting.student, policy=policy, mentoring=mentoring,
            mentors={n: mentors[n] for n in names[:k]}, **kwargs)
        return d.train(), use_programs(d, runtime, shared)

    def student_side(d, ow):
        return _state_tensors(d, ow)  # mentors are not the model's state

    for option, runtime in options.items():
        shared = {}
        for k in counts:
            d, slots = distiller(k, runtime, shared)
            ow = build_optim_wrapper(d, copy.deepcopy(OPTIMIZER))

            def persistent(d=d, ow=ow):
                return student_side(d, ow) + held_tensors(d)

            cases.append(Case(f'{option}@{k}', 'distiller',
                              lambda d=d, ow=ow: d.train_step(batch, ow),
                              persistent, num_mentors=k, policy=option,
                              distiller=d, optim_wrapper=ow, batch=batch))
            distillers[option, k] = d
            programs[option, k] = slots

    for option in skip_options:
        for fraction in skip_fractions:
            for k in counts:
                d, slots = distiller(
                    k, options[option], programs[option, k],
                    mentor_skipping=dict(margin=1.0, reprobe_fraction=0.0))
                state = skip_state(d, batch, fraction)
                ow = build_optim_wrapper(d, copy.deepcopy(OPTIMIZER))
                skipped = []

                def step(d=d, ow=ow, state=state, skipped=skipped, k=k):
                    d.classroom.load_state_dict(state)
                    logs = d.train_step(batch, ow)
                    skipped.append(sum(
                        float(logs[f'classroom.{n}.skipped_rate'])
                        for n in names[:k]) / k)

                def persistent(d=d, ow=ow):
                    return student_side(d, ow) + held_tensors(d)

                name = f'{option}+skip{fraction:g}'
                cases.append(Case(f'{name}@{k}', 'distiller', step,
                                  persistent, num_mentors=k, policy=name,
                                  distiller=d, optim_wrapper=ow,
                                  batch=batch))
                distillers[name, k] = d
                programs[name, k] = slots
                SKIPPED[setting.name, name, k] = skipped
    return cases, names, distillers, programs, inputs


def rss_bytes() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def engine_memory(program, inputs) -> int:
    """Bytes the engine holds for one mentor, which torch does not see:
    the process's resident memory growth when one more session of the
    mentor's program is opened and run once on the batch (its copy of the
    weights, prepacked, and what it keeps of its activations), freed heap
    returned to the system before and after; the session then dropped."""
    import ctypes
    import gc
    gc.collect()
    # freed heap pages back to the system, so that the session's memory
    # shows as growth rather than as reuse of pages freed earlier
    trim = getattr(ctypes.CDLL(None), 'malloc_trim', lambda pad: 0)
    trim(0)
    before = rss_bytes()
    extra = copy.copy(program)  # without the session
    with torch.no_grad():
        extra(inputs)
    gc.collect()
    trim(0)  # what the session holds, not what loading it needed
    grown = rss_bytes() - before
    del extra
    gc.collect()
    return max(grown, 0)


def ratios(times, names, case):
    """Per round: ``case`` over the eager floor of its mentor count."""
    k = int(case.split('@')[1])
    floor = [sum(v) for v in zip(
        times['student'], *(times[f'mentor:{n}'] for n in names[:k]))]
    return [t / f for t, f in zip(times[case], floor)]


def active_flips(setting_fn, tmp_dir, name, k, compared):
    """KnowledgeFilter's active decisions with the mentors run through each
    option set of ``compared`` against those with fp32 mentors
    (``compared[0]``) on one larger batch: one entry per other option."""
    from benchmarks.speed.cases import POLICIES
    from benchmarks.speed.mentor_programs import use_programs
    from classroomkd_mm.models import ClassroomDistiller
    setting = setting_fn(tmp_dir, batch_size=FLIP_BATCH[name],
                         num_mentors=k)
    policy, mentoring = POLICIES['classroomkd']
    torch.manual_seed(0)
    d = ClassroomDistiller(student=setting.student, mentors=setting.mentors,
                           policy=policy, mentoring=mentoring).train()
    plans = []
    original = d.policy

    def recording(*args, **kwargs):
        plan = original(*args, **kwargs)
        plans.append(plan.active.clone())
        return plan

    d.policy = recording
    data = d.data_preprocessor(setting.batch, True)
    with torch.no_grad():
        for runtime in compared.values():
            use_programs(d, runtime)
            d.loss(**data)
    reference, *others = plans
    return [dict(batch=FLIP_BATCH[name], mentors=k, against=list(compared)[0],
                 options=option, decisions=reference.numel(),
                 active_fp32=int(reference.sum()),
                 active_option=int(plan.sum()),
                 flipped=int((reference != plan).sum()),
                 flip_fraction=float((reference != plan).float().mean()))
            for option, plan in zip(list(compared)[1:], others)]


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    args = parse_args()
    import classroomkd_mm  # noqa: F401
    from benchmarks.speed.peak_memory import step_memory
    from benchmarks.speed.settings import SETTINGS
    from benchmarks.speed.timing import interleaved_times
    from classroomkd_mm.models.classroom.program_builder import \
        native_bf16_cpu
    options = {k: dict(v) for k, v in OPTIONS.items()
               if k == 'eager' or k in args.options or
               (args.skip_fractions and k in args.skip_options)}
    options.update(COMPILED if args.compile else {})
    if not native_bf16_cpu():
        dropped = [k for k, v in options.items()
                   if v.get('precision') == 'bf16']
        if dropped or not args.no_flips:
            print(f'This CPU has no bfloat16 kernels '
                  f'({torch.backends.cpu.get_cpu_capability()}): the '
                  'distiller refuses bf16 mentors here, so the option sets '
                  f'{dropped} and the bf16 active-set measurement are left '
                  'out.', flush=True)
        options = {k: v for k, v in options.items() if k not in dropped}
        args.skip_options = [o for o in args.skip_options
                             if o not in dropped]
        args.no_flips = True
    missing = [o for o in args.skip_options if args.skip_fractions
               and o not in options]
    if missing:
        raise SystemExit(f'--skip-options {missing} need --compile.')
    start = time.time()

    def log(msg):
        print(f'[{time.time() - start:7.1f}s] {msg}', flush=True)

    out = dict(
        tool='tools/benchmark_mentor_runtime.py',
        machine=dict(platform=platform.platform(), cpus=os.cpu_count(),
                     torch=torch.__version__,
                     cpu=cpu_model(),
                     cpu_capability=torch.backends.cpu.get_cpu_capability(),
                     cpu_bf16=native_bf16_cpu(),
                     load_before=os.getloadavg()),
        clock='process CPU time', options=options, runs=[], memory=[],
        flips=[])
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        for option, runtime in options.items():
            if runtime['engine'] in ENGINES:
                runtime['cache_dir'] = osp.join(tmp_dir, 'mentor_engine')
        for name in args.settings:
            torch.set_num_threads(1)
            setting = SETTINGS[name](tmp_dir, batch_size=BATCH[name],
                                     num_mentors=max(args.counts))
            cases, names, distillers, programs, inputs = build(
                setting, args.counts, options, args.skip_fractions,
                args.skip_options)
            for threads in args.threads:
                torch.set_num_threads(threads)
                per_case = {c.name: [] for c in cases
                            if c.kind == 'distiller'}
                repeat_medians = {c: [] for c in per_case}
                for repeat in range(args.repeats):
                    log(f'[{name}] {threads} thread(s), repeat {repeat + 1}')
                    times = interleaved_times(cases, args.warmup, args.iters,
                                              'cpu', log)[0]
                    for case in per_case:
                        r = ratios(times, names, case)
                        per_case[case] += r
                        repeat_medians[case].append(statistics.median(r))
                    log(f'[{name}] ' + ', '.join(
                        f'{c} {repeat_medians[c][-1]:.3f}' for c in per_case))
                for case, values in per_case.items():
                    option, k = case.split('@')
                    skipped = SKIPPED.get((name, option, int(k)))
                    out['runs'].append(dict(
                        setting=name, threads=threads, mentors=int(k),
                        options=option,
                        engine=options[option.split('+skip')[0]]['engine'],
                        mentor_runtime=options[option.split('+skip')[0]],
                        skipped_fraction=(statistics.mean(skipped)
                                          if skipped else None),
                        step_over_eager_floor=statistics.median(values),
                        spread=[min(values), max(values)],
                        repeat_medians=repeat_medians[case],
                        rounds=len(values)))
                with open(args.out, 'w') as f:
                    json.dump(out, f, indent=1)
            torch.set_num_threads(1)
            if not args.no_memory:
                log(f'[{name}] peak memory...')
                mem = {c.name: step_memory(c) for c in cases}
                for k in args.counts:
                    mentor_mem = [mem[f'mentor:{n}'] for n in names[:k]]
                    bound = 1.1 * (
                        mem['student']['total']
                        + sum(m['persistent'] for m in mentor_mem)
                        + max(m['transient_peak'] for m in mentor_mem))
                    for option in [o for o, kk in distillers if kk == k]:
                        m = mem[f'{option}@{k}']
                        slots = programs[option, k]
                        engine = sum(
                            engine_memory(slots[n], inputs)
                            for n in names[:k] if n in slots
                            and not slots[n].needs_module)
                        out['memory'].append(dict(
                            setting=name, mentors=k, options=option,
                            engine=options[option.split('+skip')[0]][
                                'engine'],
                            peak_mib=(m['total'] + engine) / MIB,
                            persistent_mib=m['persistent'] / MIB,
                            transient_mib=m['transient_peak'] / MIB,
                            engine_mib=engine / MIB,
                            bound_mib=bound / MIB,
                            within_bound=m['total'] + engine <= bound))
            for (option, k), slots in programs.items():
                for r in slots.values():
                    if getattr(r, 'report', None):
                        out.setdefault('builds', {}).setdefault(
                            name, {})[f'{option}:{r.name}'] = r.report
            del cases, distillers, programs, inputs
            if not args.no_flips:
                log(f'[{name}] bf16 against fp32 active sets...')
                compared = {o: options[o] for o in (
                    'eager', 'ort', 'ov+bf16', 'compiled+bf16')
                    if o in options}
                out['flips'] += [dict(setting=name, **f) for f in
                                 active_flips(SETTINGS[name], tmp_dir, name,
                                              max(args.counts), compared)]
            out['machine']['load_after'] = os.getloadavg()
            with open(args.out, 'w') as f:
                json.dump(out, f, indent=1)
    log(f'wrote {args.out}')
    for run in out['runs']:
        log(f"{run['setting']} {run['threads']}t {run['mentors']} mentors "
            f"{run['options']}: {run['step_over_eager_floor']:.3f} "
            f"({run['spread'][0]:.3f}-{run['spread'][1]:.3f})"
            + (f" skipped {run['skipped_fraction']:.3f}"
               if run['skipped_fraction'] is not None else ''))
    for m in out['memory']:
        log(f"{m['setting']} {m['mentors']} {m['options']}: "
            f"{m['peak_mib']:.0f} MiB (engine {m['engine_mib']:.0f}; bound "
            f"{m['bound_mib']:.0f})")
    for f in out['flips']:
        log(f'flips: {f}')


if __name__ == '__main__':
    main()
