"""The method benchmark: one spec, a cached classroom, every method x seed
through MMEngine's Runner, and a report (markdown, JSON, PNG)."""
from .spec import BenchmarkSpec, load_spec

__all__ = ['BenchmarkSpec', 'load_spec']
