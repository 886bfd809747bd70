"""The speed benchmark's numbers, its targets, and its markdown report."""
import json
import statistics
from typing import Dict, List

MiB = 2**20
TARGET_RATIO = 1.05
TARGET_SHARE = 0.02
TARGET_MEMORY_SLACK = 1.10
TARGET_SLOPE = (0.9, 1.1)


def _fit(xs: List[float], ys: List[float]):
    """Least-squares ``y = a + b x``; ``(a, b)``."""
    n = len(xs)
    if n < 2:
        return float('nan'), float('nan')
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx)**2 for x in xs)
    if sxx == 0:
        return float('nan'), float('nan')
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def analyse(raw: dict) -> dict:
    """Derived figures and target checks of one setting's raw results:
    ``raw['median']`` (seconds per case), ``raw['mentors']`` (mentor names
    in order), ``raw['counts']``, ``raw['policies']``, optionally
    ``raw['substeps']``, ``raw['memory']`` and ``raw['syncs']``."""
    med, names = raw['median'], raw['mentors']
    student = med['student']
    mentor_time = [med[f'mentor:{n}'] for n in names]
    out = dict(floor={}, ratio={}, ratio_of_medians={}, overhead_share={},
               memory_bound={}, memory_ok={}, slope={}, syncs_constant={})
    times = raw.get('times', {})
    rounds = {}
    for k in raw['counts']:
        out['floor'][k] = student + sum(mentor_time[:k])
        parts = [times.get('student')] + [times.get(f'mentor:{n}')
                                          for n in names[:k]]
        if all(parts):
            # Paired: the floor of the same round, so that a change of load
            # between rounds cancels out.
            rounds[k] = [sum(v) for v in zip(*parts)]
    for policy in raw['policies']:
        xs, ys = [], []
        for k in raw['counts']:
            case = f'{policy}@{k}'
            out['ratio_of_medians'][case] = med[case] / out['floor'][k]
            if k in rounds and times.get(case):
                out['ratio'][case] = statistics.median(
                    t / f for t, f in zip(times[case], rounds[k]))
            else:
                out['ratio'][case] = out['ratio_of_medians'][case]
            xs.append(sum(mentor_time[:k]))
            ys.append(med[case])
            sub = raw.get('substeps', {}).get(case)
            if sub:
                out['overhead_share'][case] = sub['overhead_share']
        intercept, slope = _fit(xs, ys)
        out['slope'][policy] = dict(intercept=intercept, slope=slope)
    memory = raw.get('memory')
    if memory:
        s = memory['student']['total']
        for policy in raw['policies']:
            for k in raw['counts']:
                mentors = [memory[f'mentor:{n}'] for n in names[:k]]
                bound = TARGET_MEMORY_SLACK * (
                    s + sum(m['persistent'] for m in mentors) +
                    max(m['transient_peak'] for m in mentors))
                case = f'{policy}@{k}'
                out['memory_bound'][case] = bound
                out['memory_ok'][case] = memory[case]['total'] <= bound
    syncs = raw.get('syncs')
    if syncs:
        for policy in raw['policies']:
            seen = [json.dumps(v, sort_keys=True)
                    for c, v in syncs.items() if c.startswith(policy + '@')]
            if seen:
                out['syncs_constant'][policy] = len(set(seen)) == 1
    ckd = [c for c in out['ratio'] if c.startswith('classroomkd@')]
    lo, hi = TARGET_SLOPE
    slope = out['slope'].get('classroomkd', {}).get('slope', float('nan'))
    out['targets'] = dict(
        ratio=all(out['ratio'][c] <= TARGET_RATIO for c in ckd),
        overhead_share=all(
            out['overhead_share'].get(c, 0.0) < TARGET_SHARE for c in ckd),
        memory=all(v for c, v in out['memory_ok'].items()
                   if c.startswith('classroomkd@')) if memory else None,
        linear=(lo <= slope <= hi) if len(raw['counts']) > 1 else None,
        no_per_mentor_sync=out['syncs_constant'].get('classroomkd'))
    return out


def _ms(seconds):
    return f'{1000 * seconds:.1f}'


def _mib(n):
    return f'{n / MiB:.1f}'


def _mark(ok):
    return {True: 'yes', False: '**no**', None: 'n/a'}[ok]


def setting_markdown(raw: dict, derived: dict) -> str:
    med = raw['median']
    lines = [f"## {raw['setting']}", '', raw['description'], '',
             f"batch {raw['batch_size']}, device {raw['device']}, "
             f"{raw['threads']} threads, median of {raw['iters']} timed "
             f"iterations after {raw['warmup']} warm-up, interleaved; "
             f"times are {raw.get('clock', 'wall time')} (wall-time median "
             "in brackets).", '',
             'step / floor is the median over rounds of the step time over '
             'the floor measured in the same round (ratio of the medians in '
             'brackets).', '',
             '| step | median ms | floor ms | step / floor | '
             'ranking+mentoring share | peak MiB (persistent + transient) | '
             'memory bound MiB |',
             '|---|---|---|---|---|---|---|']
    memory = raw.get('memory', {})

    def mem(case):
        m = memory.get(case)
        return (f"{_mib(m['total'])} ({_mib(m['persistent'])} + "
                f"{_mib(m['transient_peak'])})") if m else '-'

    wall = raw.get('wall_median', {})

    def ms(case):
        shown = _ms(med[case])
        return shown + (f' ({_ms(wall[case])})' if case in wall else '')

    lines.append(f"| student step | {ms('student')} | | | | "
                 f"{mem('student')} | |")
    for n in raw['mentors']:
        case = f'mentor:{n}'
        lines.append(f'| mentor {n} inference | {ms(case)} | | | | '
                     f'{mem(case)} | |')
    for policy in raw['policies']:
        for k in raw['counts']:
            case = f'{policy}@{k}'
            share = derived['overhead_share'].get(case)
            bound = derived['memory_bound'].get(case)
            lines.append(
                f"| {policy} step, {k} mentor{'s' if k > 1 else ''} | "
                f"{ms(case)} | {_ms(derived['floor'][k])} | "
                f"{derived['ratio'][case]:.3f} "
                f"({derived['ratio_of_medians'][case]:.3f}) | "
                f"{'-' if share is None else f'{100 * share:.2f}%'} | "
                f"{mem(case)} | {'-' if bound is None else _mib(bound)} |")
    lines.append('')
    subs = raw.get('substeps', {})
    if subs:
        lines += ['Instrumented step (ms): where a distiller step goes.', '',
                  '| step | student fwd | mentor fwd | student loss | '
                  'ranking | mentoring fwd | mentoring fwd+bwd | '
                  'diagnostics | bridges | whole step | bridges share |',
                  '|---|---|---|---|---|---|---|---|---|---|---|']
        for case, s in subs.items():
            lines.append('| ' + ' | '.join([case] + [
                _ms(s.get(k, 0.0)) for k in (
                    'forward.student', 'forward.mentors', 'student_losses',
                    'ranking', 'mentoring', 'mentoring_fwd_bwd',
                    'diagnostics', 'bridge', 'step')] + [
                        f"{100 * s.get('bridge_share', 0.0):.2f}%"]) + ' |')
        lines += ['', 'bridges: the pose mentors\' crop resize and their '
                  'outputs brought into the student\'s output space '
                  '(`MentorBridge`); part of the mentors\' pass, not of '
                  'ranking+mentoring.', '']
    sys_median = raw.get('sys_median')
    if sys_median:
        lines += ['Kernel time per step (system CPU ms, minor page faults): '
                  + ', '.join(
                      f"{case} {_ms(v)}, {raw['faults_median'][case]:.0f}"
                      for case, v in sys_median.items()), '']
    for policy, fit in derived['slope'].items():
        lines.append(f'{policy}: step = {_ms(fit["intercept"])} ms + '
                     f'{fit["slope"]:.3f} x (sum of mentor inference times)')
    syncs = raw.get('syncs', {})
    if syncs:
        lines += ['', 'Host-device synchronising ops in one `loss()` call:']
        for case, counts in syncs.items():
            shown = ', '.join(f'{k}: {v}' for k, v in sorted(
                counts.items())) or 'none'
            lines.append(f'- {case}: {shown}')
    t = derived['targets']
    lines += ['', 'Targets: ' + '; '.join([
        f"ClassroomKD step <= {TARGET_RATIO}x floor: {_mark(t['ratio'])}",
        f"ranking+mentoring < {100 * TARGET_SHARE:.0f}%: "
        f"{_mark(t['overhead_share'])}",
        f"memory within bound: {_mark(t['memory'])}",
        f"linear in mentors (slope in {TARGET_SLOPE}): {_mark(t['linear'])}",
        f"no per-mentor sync: {_mark(t['no_per_mentor_sync'])}"]), '']
    return '\n'.join(lines)


def write_report(results: Dict, md_path: str, json_path: str, header: str):
    with open(json_path, 'w') as f:
        json.dump(results, f, indent=1, default=str)
    parts = [header, '']
    for entry in results['settings']:
        parts.append(setting_markdown(entry['raw'], entry['derived']))
    with open(md_path, 'w') as f:
        f.write('\n'.join(parts))
