"""Per-iteration time of several steps, measured interleaved in one process.

Every round runs one iteration of every case, in a rotating order, so that a
change of machine load hits all cases alike; the per-case median over the
timed rounds is reported. Both clocks are read: wall time, and the process's
CPU time, which on a CPU run with a fixed thread count does not count the
time other processes of a shared machine take from it (the benchmark's
figures on the CPU use it; on a GPU, wall time after a synchronise).
"""
import statistics
import time
from typing import Sequence


def synchronize(device) -> None:
    """Wait for the device's queued work (a no-op on the CPU)."""
    import torch
    if str(device).startswith('cuda'):
        torch.cuda.synchronize(device)


def clock(device='cpu') -> float:
    """The clock the benchmark reports: process CPU seconds on the CPU, wall
    seconds on a GPU."""
    return time.perf_counter() if str(device).startswith('cuda') \
        else time.process_time()


def _usage():
    """``(system CPU seconds, minor page faults)`` of this process so far
    (zeros where ``resource`` is unavailable)."""
    try:
        import resource
    except ImportError:
        return 0.0, 0
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_stime, r.ru_minflt


def time_once(fn, device='cpu') -> float:
    """Seconds of one call of ``fn`` on :func:`clock`."""
    return time_both(fn, device)[1]


def time_both(fn, device='cpu'):
    """``(wall seconds, clock seconds, system CPU seconds, minor page
    faults)`` of one call of ``fn``. The last two show what the kernel spent
    on the step, mostly handing fresh zeroed pages to the allocator."""
    synchronize(device)
    sys_start, faults_start = _usage()
    wall, start = time.perf_counter(), clock(device)
    fn()
    synchronize(device)
    wall, seconds = time.perf_counter() - wall, clock(device) - start
    sys_end, faults_end = _usage()
    return wall, seconds, sys_end - sys_start, faults_end - faults_start


def interleaved_times(cases: Sequence, warmup: int, iters: int,
                      device='cpu', log=print):
    """``(clock, wall, system, faults)``, each ``{case.name: [value per
    timed iteration]}``: ``warmup`` untimed rounds, then ``iters`` timed
    rounds over all cases."""
    times = {c.name: [] for c in cases}
    walls = {c.name: [] for c in cases}
    system = {c.name: [] for c in cases}
    faults = {c.name: [] for c in cases}
    order = list(cases)
    for r in range(warmup + iters):
        shift = r % len(order)
        for case in order[shift:] + order[:shift]:
            wall, seconds, sys_seconds, page_faults = time_both(
                case.run, device)
            if r >= warmup:
                times[case.name].append(seconds)
                walls[case.name].append(wall)
                system[case.name].append(sys_seconds)
                faults[case.name].append(page_faults)
        log(f'  round {r + 1}/{warmup + iters}'
            f'{" (warm-up)" if r < warmup else ""} done')
    return times, walls, system, faults


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float('nan')
