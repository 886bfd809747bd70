"""Peak memory of one step: what lives across steps plus the step's peak of
transient allocations.

- persistent: the distinct storages of the case's weights, buffers and
  optimizer state (``Case.persistent``);
- transient peak: the highest amount of memory allocated during one step
  above what was allocated when it started. On CUDA,
  ``torch.cuda.max_memory_allocated``; on the CPU, the allocation and free
  events that ``torch.profiler`` records with ``profile_memory=True``, summed
  in time order (this sees every tensor the step allocates, which neither
  ``tracemalloc`` nor the process RSS, with its allocator caching, does).
"""
from .cases import tensor_bytes


def _cpu_transient_peak(fn) -> int:
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU],
                 profile_memory=True) as prof:
        fn()
    events = [e for e in prof.profiler.kineto_results.events()
              if e.name() == '[memory]' and e.device_type().name == 'CPU']
    current = peak = 0
    for event in sorted(events, key=lambda e: e.start_ns()):
        current += event.nbytes()
        peak = max(peak, current)
    return peak


def _cuda_transient_peak(fn, device) -> int:
    import torch
    torch.cuda.synchronize(device)
    start = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    fn()
    torch.cuda.synchronize(device)
    return torch.cuda.max_memory_allocated(device) - start


def step_memory(case, device='cpu') -> dict:
    """``{'persistent', 'transient_peak', 'total'}`` bytes of one step of
    ``case`` (run it once before, so that lazily created state such as
    optimizer momentum exists)."""
    if str(device).startswith('cuda'):
        transient = _cuda_transient_peak(case.run, device)
    else:
        transient = _cpu_transient_peak(case.run)
    persistent = tensor_bytes(case.persistent())
    return dict(persistent=persistent, transient_peak=transient,
                total=persistent + transient)
