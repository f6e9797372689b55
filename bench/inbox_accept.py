"""The inbox's accept side in this process: ``python -m bench.inbox_accept --database sqlite|postgres
[--activities N] [--actors A] [--profile FILE]``.

Signed activities (the mix, senders and signatures of :mod:`bench.federation`) are POSTed one after the
other through Spool's ASGI application, as uvicorn calls it (Django's handler, its middleware, the inbox
view: signature, Digest, Date, blocked domains, the stored ``InboxItem``, the drain request sent to the
broker), with no worker: nothing is processed. Reports CPU milliseconds per accepted activity
(``time.process_time``, every thread of this process: what neighbours on a shared machine disturb least)
and the SQL queries of one accept; ``--profile`` writes a cProfile of the timed POSTs (``python -m pstats
FILE``; with ``--via wsgi``, which runs the inbox view through Django's WSGI handler and its middleware in
this thread, since under ASGI the POST is answered in a thread cProfile does not see, by the inbox route
of :mod:`spool.inbox_asgi`, without Django's request handling). PostgreSQL when ``--database
postgres`` (``DATABASE_URL``, ``REDIS_URL`` as for the tests): a fresh database ``<name>_inboxbench`` is
made for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.fedwire import Request


def setup_process(database: str, data_dir: str) -> None:
    """Configure and migrate Django in this process for an inbox bench: SQLite in ``data_dir``, or a fresh
    PostgreSQL database ``<name>_inboxbench`` (``DATABASE_URL``); development mode (without Django's
    recording of every query), cheap password hashes."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="spool.settings", SPOOL_DATA_DIR=data_dir, SPOOL_DOMAIN="127.0.0.1:9",
        SPOOL_KEY_PREFIX=f"inboxbench{os.getpid()}", SPOOL_DEBUG="1", SPOOL_FEDERATION_DEV_MODE="1",
        SPOOL_DEBUG_QUERIES="0",  # debug mode for development mode only: no recording of every query
    )  # fmt: skip
    if database == "postgres":
        from bench.messaging import fresh_postgres

        if not os.environ.get("DATABASE_URL"):
            raise SystemExit("--database postgres needs DATABASE_URL")
        os.environ["DATABASE_URL"] = fresh_postgres(os.environ["DATABASE_URL"], "_inboxbench")
    else:
        from bench.datasets import start_from_migrated

        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
        start_from_migrated(Path(data_dir) / "spool.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _scope(request: Request) -> dict[str, Any]:
    headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
    headers.append((b"content-length", str(len(request.body)).encode()))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": request.path, "raw_path": request.path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 9),
    }  # fmt: skip


async def _post(application: Any, request: Request) -> int:
    """POST ``request`` through ``application`` as an ASGI server would; the status answered."""
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client never disconnects
        sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await application(_scope(request), receive, send)
    return status


def _post_wsgi(handler: Any, request: Request) -> int:
    """POST ``request`` through Django's WSGI handler (same middleware and view, no thread hop)."""
    environ = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in request.headers.items()
        if k.lower() != "content-type"
    }
    environ.update(
        REQUEST_METHOD="POST", PATH_INFO=request.path, SCRIPT_NAME="", QUERY_STRING="",
        CONTENT_TYPE=request.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(request.body)),
        SERVER_NAME="127.0.0.1", SERVER_PORT="9", REMOTE_ADDR="127.0.0.1", SERVER_PROTOCOL="HTTP/1.1",
    )  # fmt: skip
    environ.update(
        {"wsgi.input": io.BytesIO(request.body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
    )
    answered: list[str] = []
    handler(environ, lambda status, headers: answered.append(status)).close()
    return int(answered[0].split()[0])


def measure(database: str, count: int, actors: int, via: str, profile: str = "") -> dict[str, Any]:
    """CPU and wall milliseconds per accepted activity (after a warm-up of one activity per sender),
    through the ASGI application (``via="asgi"``) or Django's WSGI handler."""
    from bench.federation import activities, build, signed

    world = build(actors, 0, 9, 9)
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from spool.asgi import application
    from spool.celery import app

    app.conf.task_always_eager = False  # a drain request goes to the broker, as in the server
    connections.close_all()
    host = "127.0.0.1:9"
    warm = signed(activities(world, actors, "w", 1), host)
    timed = signed(activities(world, count, "m", 2), host)
    probe = signed(activities(world, 1, "p", 3), host)[0]
    loop = asyncio.new_event_loop()
    if via == "asgi":
        post = lambda request: loop.run_until_complete(_post(application, request))  # noqa: E731
    else:
        from django.core.handlers.wsgi import WSGIHandler

        wsgi = WSGIHandler()
        post = lambda request: _post_wsgi(wsgi, request)  # noqa: E731
    for request in warm:
        post(request)
    profiler = cProfile.Profile(time.process_time) if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    statuses: dict[int, int] = {}
    for request in timed:
        status = post(request)
        statuses[status] = statuses.get(status, 0) + 1
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    with CaptureQueriesContext(connection) as captured:  # this thread's connection: the WSGI-style path
        from django.test import Client

        Client().post(
            probe.path,
            probe.body,
            content_type="application/activity+json",
            headers={k: v for k, v in probe.headers.items() if k.lower() != "content-type"},
        )
    accepted = statuses.get(202, 0)
    return {
        "database": database,
        "via": via,
        "activities": count,
        "statuses": statuses,
        "cpu_ms_per_accept": round(cpu * 1000 / max(accepted, 1), 3),
        "wall_ms_per_accept": round(wall * 1000 / max(accepted, 1), 3),
        "queries_per_accept": len(captured),
        "queries": [q["sql"][:160] for q in captured.captured_queries],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_accept", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--via", choices=["asgi", "wsgi"], default="asgi")
    parser.add_argument(
        "--profile",
        default="",
        help="write a cProfile of the timed POSTs here (--via wsgi: the view's thread)",
    )
    args = parser.parse_args(argv)
    if args.database == "postgres" and not urlsplit(os.environ.get("DATABASE_URL", "")).scheme:
        parser.error("--database postgres needs DATABASE_URL")
    # The last drain request may still be writing to the broker folder: leave what it wrote.
    with tempfile.TemporaryDirectory(prefix="spool-bench-inbox-", ignore_cleanup_errors=True) as tmp:
        setup_process(args.database, tmp)
        result = measure(args.database, args.activities, args.actors, args.via, args.profile)
        print(json.dumps(result, indent=2))
        print(f"{result['cpu_ms_per_accept']} ms CPU per accepted activity", file=sys.stderr)


if __name__ == "__main__":
    main()
