"""The warm home timeline's cost in this process: ``python -m bench.hotpath --database sqlite|postgres
--accounts N [--runs R] [--profile FILE] [--via client|asgi]``.

Every request goes through Django's whole handler (middleware, URL routing, authentication, the view) on
a warm reader (timeline held, statuses cached), a different reader each time. Reports CPU milliseconds per
request (``time.process_time``: what neighbours on a shared machine disturb least) and the SQL queries of
one page; ``--profile`` writes a cProfile of the runs (``python -m pstats FILE``).
``--via asgi`` sends the requests through Spool's ASGI application as uvicorn calls it (the handler, its
thread hops, the middleware: what a server process spends besides HTTP parsing), alternating with the
bench's *ceiling* view (:mod:`bench.urls`, serving the first reader's page as ready-made statuses), and
reports both.
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
    for _ in range(2):  # every reader's page held (the first read may rebuild it), cached and remembered
        for header in headers:
            client.get(HOME, {"limit": 40}, **header)
    heap.settle()  # the server process's collector settings (spool.asgi)
    trusted = trusted_pages_memory()
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
        "trusted_pages": trusted,
    }


def trusted_pages_memory() -> dict[str, int]:
    """What trusting warm pages on notices holds in this process (:mod:`spool.api.mastodon.page_cache`):
    the pages trusted, the distinct notices watched, the bytes (``sys.getsizeof``) of the index from notice
    to pages (``index_bytes``: what trusting adds), and of the trusted pages' sets of notices with their
    strings (``notice_bytes``: part of each page's facts, kept with or without trust)."""
    import sys

    from spool.api.mastodon.page_cache import pages, watching
    from spool.timelines.notices import ear

    with ear.lock:
        index = dict(watching._pages)  # read for this measurement only
        sets = [seen.watched for seen in list(pages._pages.values()) if seen.watched]
    strings = {id(notice): notice for watched in sets for notice in watched}.values()  # each object once
    sets_of_pages = [found for found in index.values() if isinstance(found, set)]  # else a page itself
    index_bytes = sys.getsizeof(index) + sum(sys.getsizeof(found) for found in sets_of_pages)
    notice_bytes = sum(sys.getsizeof(watched) for watched in sets) + sum(sys.getsizeof(n) for n in strings)
    return {
        "pages": len(sets),
        "notices": len(index),
        "index_bytes": index_bytes,
        "notice_bytes": notice_bytes,
    }


def _scope(path: str, query: str, token: str) -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }  # fmt: skip


async def _get(application: Any, scope: dict[str, Any]) -> bytes:
    """GET through ``application`` as an ASGI server would; the body answered."""
    import asyncio

    received = False
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.sleep(3600)  # the client never disconnects
        received = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await application(scope, receive, send)
    return b"".join(body)


def asgi_cpu_per_request(data: Generated, runs: int, profile: str = "") -> dict[str, Any]:
    """CPU milliseconds per warm home page and per ceiling page through the ASGI application, timed in
    alternating rounds."""
    import asyncio

    import orjson
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    import bench.urls
    from spool.asgi import application

    loop = asyncio.new_event_loop()
    home = [_scope(HOME, "limit=40", t) for t in data.tokens]
    for scope in home * 2:  # every reader's page held (the first read may rebuild it), cached and remembered
        loop.run_until_complete(_get(application, scope))
    bench.urls.STATUSES[:] = orjson.loads(loop.run_until_complete(_get(application, home[0])))
    ceiling = _scope("/bench/ceiling", "", data.tokens[0])
    profiler = cProfile.Profile(time.process_time) if profile else None
    spent = {"home": 0.0, "ceiling": 0.0}
    rounds, i = 10, 0
    for _ in range(rounds):
        for name in spent:
            cpu = time.process_time()
            if profiler:
                profiler.enable()
            for _ in range(runs // rounds):
                scope = home[i % len(home)] if name == "home" else ceiling
                i += 1
                loop.run_until_complete(_get(application, scope))
            if profiler:
                profiler.disable()
            spent[name] += time.process_time() - cpu
    if profiler:
        profiler.dump_stats(profile)
    done = runs // rounds * rounds
    return {"runs": done, **{f"{k}_cpu_ms_per_request": round(v * 1000 / done, 3) for k, v in spent.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--profile", default="", help="write a cProfile of the timed runs here")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one page")
    parser.add_argument("--via", choices=["client", "asgi"], default="client")
    args = parser.parse_args(argv)
    readers = min(1_000, max(10, args.accounts // 20))
    sizes = GenSizes(accounts=args.accounts, readers=readers, star_followers=min(10_000, args.accounts // 2))
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    with dataset(args.database, sizes, log=log) as (data, _facts):
        if args.via == "asgi":
            result = asgi_cpu_per_request(data, args.runs, args.profile)
        else:
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
