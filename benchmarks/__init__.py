"""Benchmarks of classroomkd_mm, outside the installed package: the method
benchmark (``methods``, behind ``tools/benchmark_methods.py``) and the
step-time / memory measurements (``speed``, behind
``tools/benchmark_speed.py``). They import the library, never the
reverse."""
