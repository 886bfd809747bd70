"""Count the operations that force a host-device synchronisation on a GPU,
while running on the CPU.

On CUDA these block the host until the device catches up: reading a value
(``.item()``, ``bool(t)``, ``int(t)``, ``float(t)``, all
``aten._local_scalar_dense``), data-dependent shapes (``nonzero``, boolean
mask indexing and assignment, ``masked_select``, ``unique``), whole-tensor
comparisons (``equal``, ``is_nonzero``) and copies to the host
(``.numpy()``, ``.tolist()``). A ``TorchDispatchMode`` sees every aten op the
code calls, so the audit runs on a CPU-only machine.
"""
from collections import Counter
from contextlib import contextmanager

import torch
from torch.utils._python_dispatch import TorchDispatchMode

SYNC_OPS = {
    'aten._local_scalar_dense', 'aten.nonzero', 'aten.masked_select',
    'aten.is_nonzero', 'aten.equal', 'aten._unique', 'aten._unique2',
    'aten.unique_dim', 'aten.unique_consecutive', 'aten.repeat_interleave',
}
INDEX_OPS = {'aten.index', 'aten.index_put', 'aten.index_put_',
             'aten._index_put_impl_'}


def _has_bool_index(args) -> bool:
    for arg in args:
        if isinstance(arg, (list, tuple)):
            if any(isinstance(t, torch.Tensor) and t.dtype == torch.bool
                   for t in arg):
                return True
    return False


class _SyncCounter(TorchDispatchMode):

    def __init__(self, counts: Counter):
        super().__init__()
        self.counts = counts

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = str(func.overloadpacket)
        if name in SYNC_OPS:
            self.counts[name] += 1
        elif name in INDEX_OPS and _has_bool_index(args):
            self.counts[name + '(bool mask)'] += 1
        return func(*args, **(kwargs or {}))


@contextmanager
def count_host_syncs():
    """``with count_host_syncs() as counts: ...``; ``counts`` is a Counter
    of the synchronising operations run inside the block."""
    counts = Counter()
    originals = {name: getattr(torch.Tensor, name)
                 for name in ('numpy', 'tolist')}

    def counted(name, original):
        def wrapper(self, *args, **kwargs):
            counts[f'Tensor.{name}'] += 1
            return original(self, *args, **kwargs)
        return wrapper

    for name, original in originals.items():
        setattr(torch.Tensor, name, counted(name, original))
    try:
        with _SyncCounter(counts):
            yield counts
    finally:
        for name, original in originals.items():
            setattr(torch.Tensor, name, original)


def loss_syncs(distiller, batch: dict) -> Counter:
    """The synchronising operations of one ``distiller.loss`` call on a
    data batch (preprocessed outside the count), after one uncounted call:
    the first call builds and checks the mentors' runtime programs, once
    per training run."""
    with torch.no_grad():
        data = distiller.data_preprocessor(batch, True)
        distiller(**data, mode='loss')
    with count_host_syncs() as counts:
        distiller(**data, mode='loss')
    return counts
