"""Speed, memory and host-sync measurement of the distiller's training step
(``tools/benchmark_speed.py``)."""
from .sync_audit import count_host_syncs, loss_syncs

__all__ = ['count_host_syncs', 'loss_syncs']
