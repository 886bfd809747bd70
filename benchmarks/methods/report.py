"""The benchmark's report: a markdown table per group (mean and standard
deviation per method), a JSON file with every run, and PNG plots."""
import os
import os.path as osp
import platform
import statistics
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np

from .runs import write_json


def summarise(results: List[dict]) -> Dict[str, dict]:
    """``{method: dict(group, n, mean, std, scores)}`` in spec order."""
    table = OrderedDict()
    for r in results:
        row = table.setdefault(r['method'], dict(group=r['group'],
                                                 scores=[], seconds=[],
                                                 cpu_seconds=[]))
        row['scores'].append(r['score'])
        row['seconds'].append(r.get('seconds', float('nan')))
        row['cpu_seconds'].append(r.get('cpu_seconds', float('nan')))
    for row in table.values():
        s = row['scores']
        row.update(n=len(s), mean=statistics.fmean(s),
                   std=statistics.stdev(s) if len(s) > 1 else 0.0)
    return table


def paired_difference(results: List[dict], method: str,
                      reference: str = 'classroomkd'
                      ) -> Optional[Tuple[float, float, int]]:
    """``(mean, standard error, n)`` of ``score(method) - score(reference)``
    over the seeds both ran (runs of one seed share data order and
    initialisation, so pairing removes most of the seed noise); None with
    fewer than two common seeds or for the reference itself."""
    if method == reference:
        return None
    by_seed = {}
    for r in results:
        if r['method'] in (method, reference):
            by_seed.setdefault(r['seed'], {})[r['method']] = r['score']
    diffs = [s[method] - s[reference] for s in by_seed.values()
             if len(s) == 2]
    if len(diffs) < 2:
        return None
    return (statistics.fmean(diffs),
            statistics.stdev(diffs) / len(diffs) ** 0.5, len(diffs))


def machine() -> str:
    """CPU model, core count, torch version and device, in words."""
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f
                       if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    device = (torch.cuda.get_device_name(0) if torch.cuda.is_available()
              else 'no GPU')
    return (f'{cpu}, {os.cpu_count()} cores, {device}, Python '
            f'{platform.python_version()}, torch {torch.__version__}')


def markdown(spec, results: List[dict], mentor_scores: Dict[str, float],
             command: str, seconds: float) -> str:
    table = summarise(results)
    lines = [f'# Benchmark `{spec.name}`', '',
             f'Spec `{spec.source}`; metric `{spec.metric}` on the host\'s '
             f'test split; seeds {spec.seeds} (a method with its own `seeds` '
             'runs those; `runs` counts them).', '',
             f'Command: `{command}`', '',
             f'Machine: {machine()}; wall time of this invocation '
             f'{seconds / 60:.1f} min (runs cached before not counted).',
             '', '## Classroom', '', '| mentor | training | epoch | '
             f'{spec.metric} |', '|---|---|---|---|']
    for name, m in spec.mentors.items():
        score = (f'{mentor_scores[name]:.2f}' if name in mentor_scores else
                 'not needed by these methods')
        lines.append(f'| {name} | {m.get("training", "pretrained")} | '
                     f'{m.get("epoch", "-")} | {score} |')
    baseline = table.get('nokd')
    for group in OrderedDict.fromkeys(r['group'] for r in table.values()):
        lines += ['', f'## {group}', '',
                  '| method | mentors | runs | mean | std | vs nokd | '
                  'paired vs classroomkd | wall s/run | CPU s/run |',
                  '|---|---|---|---|---|---|---|---|---|']
        for method, row in table.items():
            if row['group'] != group:
                continue
            mentors = next(r['mentors'] for r in results
                           if r['method'] == method)
            delta = (f'{row["mean"] - baseline["mean"]:+.2f}'
                     if baseline else '-')
            paired = paired_difference(results, method)
            paired = ('-' if paired is None else
                      f'{paired[0]:+.2f} ± {paired[1]:.2f} ({paired[2]})')
            lines.append(
                f'| {method} | {", ".join(mentors) or "-"} | {row["n"]} | '
                f'{row["mean"]:.2f} | {row["std"]:.2f} | {delta} | '
                f'{paired} | '
                f'{statistics.fmean(row["seconds"]):.0f} | '
                f'{statistics.fmean(row["cpu_seconds"]):.0f} |')
    lines += ['', 'Plots: `scores.png` (every run per method), '
              '`diagnostics.png` (activation rate and temperature per mentor '
              'over training, mean over seeds).', '']
    return '\n'.join(lines)


def plot_scores(path: str, spec, results: List[dict]) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    table = summarise(results)
    names = list(table)
    fig, ax = plt.subplots(figsize=(max(4, 0.8 * len(names) + 1), 3.5))
    for x, name in enumerate(names):
        row = table[name]
        ax.scatter([x] * row['n'], row['scores'], s=12, alpha=0.5,
                   color='gray')
        ax.errorbar(x, row['mean'], yerr=row['std'], fmt='o', capsize=4,
                    color='C0')
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=40, ha='right')
    ax.set_ylabel(spec.metric)
    ax.set_title(f'{spec.name}: mean +- std over seeds')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def mean_curves(results: List[dict], method: str) -> Dict[str, np.ndarray]:
    """``{logged key: per-epoch mean over seeds}`` for one method (NaN where
    no seed logged the key in an epoch)."""
    curves = {}
    for r in results:
        if r['method'] != method:
            continue
        diag = r.get('diagnostics') or {}
        for key, values in (diag.get('history') or {}).items():
            curves.setdefault(key, []).append(
                [np.nan if v is None else v for v in values])
    out = {}
    for key, runs in curves.items():
        width = max(len(v) for v in runs)
        padded = np.full((len(runs), width), np.nan)
        for i, v in enumerate(runs):
            padded[i, :len(v)] = v
        counts = np.isfinite(padded).sum(0)
        totals = np.nansum(padded, 0)
        out[key] = np.where(counts > 0, totals / np.maximum(counts, 1),
                            np.nan)
    return out


def plot_diagnostics(path: str, spec, results: List[dict]) -> bool:
    """Activation rate and temperature per mentor over training, one row per
    method that has mentors; False when no method logged any."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    methods = [m for m in OrderedDict.fromkeys(r['method'] for r in results)
               if any(k.endswith('.active_rate')
                      for k in mean_curves(results, m))]
    if not methods:
        return False
    fig, axes = plt.subplots(len(methods), 2, squeeze=False,
                             figsize=(9, 2.4 * len(methods)))
    for row, method in enumerate(methods):
        curves = mean_curves(results, method)
        for col, suffix in enumerate(('active_rate', 'temperature')):
            ax = axes[row][col]
            for key, values in sorted(curves.items()):
                if key.startswith('classroom.') and key.endswith(suffix):
                    ax.plot(np.arange(1, len(values) + 1), values,
                            marker='o', markersize=3,
                            label=key.split('.')[1])
            ax.set_title(f'{method}: {suffix.replace("_", " ")}', fontsize=9)
            ax.set_xlabel('epoch')
            if col == 0 and ax.lines:
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(out_dir: str, spec, results: List[dict],
                 mentor_scores: Dict[str, float], command: str,
                 seconds: float) -> Dict[str, str]:
    """Write ``report.md``, ``results.json``, ``scores.png`` and
    ``diagnostics.png`` into ``out_dir``; returns their paths."""
    paths = dict(markdown=osp.join(out_dir, 'report.md'),
                 json=osp.join(out_dir, 'results.json'),
                 scores=osp.join(out_dir, 'scores.png'),
                 diagnostics=osp.join(out_dir, 'diagnostics.png'))
    write_json(paths['json'], dict(
        spec=spec.source, name=spec.name, metric=spec.metric,
        seeds=spec.seeds, mentor_scores=mentor_scores,
        summary=summarise(results), runs=results))
    with open(paths['markdown'], 'w') as f:
        f.write(markdown(spec, results, mentor_scores, command, seconds))
    plot_scores(paths['scores'], spec, results)
    if not plot_diagnostics(paths['diagnostics'], spec, results):
        del paths['diagnostics']
    return paths
