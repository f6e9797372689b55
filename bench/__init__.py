"""Spool's benchmarks: ``python -m bench`` builds a dataset in a temporary database, times the read paths
and writes ``docs/performance.md``. See :mod:`bench.__main__`."""
