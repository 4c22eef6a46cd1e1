"""Benchmarks for monitor (importable so tests can share the metric code)."""
