"""The ASGI application the bench's server workers run (``uvicorn bench.asgi:application``): Spool's own,
on the run database named in the environment, plus the *ceiling* view.

The ceiling (``GET /bench/ceiling``) is a bare Django view that returns 40 ready-made statuses (rendered
once by the bench before the server starts, read from ``SPOOL_BENCH_CEILING``) as JSON with orjson: no
database, no cache, no authentication — what this Django stack can serve at most for a page of that size.
It goes through the same server, workers and middleware as the real endpoints, so the ratio home/ceiling
measures what the home timeline's own work costs.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.datasets import configure

configure(
    os.environ["SPOOL_BENCH_DATABASE"], Path(os.environ["SPOOL_DATA_DIR"]), os.environ["SPOOL_BENCH_PREFIX"]
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402

connections.settings["default"]["NAME"] = os.environ["SPOOL_BENCH_NAME"]
# Connections as in production (spool.databases): PostgreSQL's pool, SQLite's kept connections.
settings.ROOT_URLCONF = "bench.urls"

from spool.asgi import application  # noqa: E402

__all__ = ["application"]
