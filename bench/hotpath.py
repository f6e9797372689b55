"""The warm home timeline's cost in this process: ``python -m bench.hotpath --database sqlite|postgres
--accounts N [--runs R] [--profile FILE]``.

Every request goes through Django's whole handler (middleware, URL routing, authentication, the view) on
a warm reader (timeline held, statuses cached), a different reader each time. Reports CPU milliseconds per
request (``time.process_time``: what neighbours on a shared machine disturb least) and the SQL queries of
one page; ``--profile`` writes a cProfile of the runs (``python -m pstats FILE``).
:func:`cpu_per_request` is also what :mod:`bench.suite` reports as ``in_process``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import time
from typing import Any

from bench.datasets import dataset
from bench.gen import Generated, GenSizes

HOME = "/api/v1/timelines/home"


def cpu_per_request(data: Generated, runs: int, profile: str = "") -> dict[str, Any]:
    """CPU and wall milliseconds per warm ``GET /api/v1/timelines/home?limit=40`` in this process (after one
    untimed pass over every reader), and the queries of one such request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from spool.core import heap

    client = Client()
    headers = [{"HTTP_AUTHORIZATION": f"Bearer {t}"} for t in data.tokens]
    for header in headers:  # every reader's page held and its statuses cached
        client.get(HOME, {"limit": 40}, **header)
    heap.settle()  # the server process's collector settings (spool.asgi)
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not wall, on a busy machine
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    statuses = 0
    for i in range(runs):
        response = client.get(HOME, {"limit": 40}, **headers[i % len(headers)])
        statuses += len(response.content) > 2
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    with CaptureQueriesContext(connection) as captured:
        client.get(HOME, {"limit": 40}, **headers[0])
    return {
        "runs": runs,
        "cpu_ms_per_request": round(cpu * 1000 / runs, 2),
        "wall_ms_per_request": round(wall * 1000 / runs, 2),
        "queries_per_page": len(captured),
        "non_empty_pages": statuses,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--profile", default="", help="write a cProfile of the timed runs here")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one page")
    args = parser.parse_args(argv)
    readers = min(1_000, max(10, args.accounts // 20))
    sizes = GenSizes(accounts=args.accounts, readers=readers, star_followers=min(10_000, args.accounts // 2))
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    with dataset(args.database, sizes, log=log) as (data, _facts):
        result = cpu_per_request(data, args.runs, args.profile)
        if args.sql:
            from django.db import connection
            from django.test import Client
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                Client().get(HOME, {"limit": 40}, HTTP_AUTHORIZATION=f"Bearer {data.tokens[1]}")
            for query in captured.captured_queries:
                print(query["sql"][:300], file=sys.stderr)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
