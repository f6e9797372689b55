"""The garbage collector's settings for a long-lived serving process (:mod:`spool.asgi`; the benches that
time its requests in process call it too, so they measure the same runtime).

What is loaded by the time the process serves (modules, settings, URL patterns, the consumers) lives as
long as the process: :func:`settle` moves it out of the collector's generations (``gc.freeze``), so
collections stop walking it on every request's garbage. A request allocates thousands of containers that
die with it; collecting the youngest generation every 20,000 allocations rather than 700 leaves them to
reference counting (GC time per warm home request, in process: 0.53 -> 0.17 ms;
docs/subsystems/timelines.md). Without the freeze, an occasional full collection walks everything loaded:
a returning reader's first page in a process holding a 100,000-account bench dataset took 463 ms, 400 of
them in one collection.
"""

from __future__ import annotations

import gc

YOUNGEST_THRESHOLD = 20_000


def settle() -> None:
    """Freeze what is loaded now and collect the youngest generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNGEST_THRESHOLD, 20, 20)
