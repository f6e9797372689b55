"""Timing helpers: median and 95th percentile of wall-clock time, and the number of queries of one call."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Figure:
    scenario: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(scenario: str, call: Callable[[int], Any], runs: int, warmup: int = 3) -> Figure:
    """Time ``call(i)`` for ``i`` in ``range(runs)`` after ``warmup`` untimed calls; count the queries of
    one more call."""
    for i in range(warmup):
        call(i)
    seconds: list[float] = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        seconds.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        call(runs)
    return Figure(
        scenario=scenario,
        runs=runs,
        median_ms=round(statistics.median(seconds) * 1000, 2),
        p95_ms=round(percentile(seconds, 0.95) * 1000, 2),
        queries=len(captured),
    )
