"""Speed and memory measurement of the distiller's training step
(``tools/benchmark_speed.py``). The host-sync audit the tests use lives in
``tests/helpers/sync_audit.py``: benchmarks import the library, never the
tests."""
