"""``DATABASES`` for :mod:`spool.settings`, from the typed configuration (:mod:`spool.config`).

**Connections under ASGI.** Spool is served by uvicorn (ASGI). Django keeps its connections in a
context-local, and every ASGI request runs in a context of its own, so a connection is never carried from
one request to the next: ``CONN_MAX_AGE`` does not make connections persistent under ASGI, it only leaves
each request's connection open until the garbage collector finds it — with ``CONN_MAX_AGE=60`` on
PostgreSQL they piled up until the server refused clients ("too many clients already"). Opening a new
connection per request instead costs a PostgreSQL backend process (a fork, authentication, and catalog
caches that start cold, so the first statements of every request are planned against an empty cache).

So each backend gets a strategy that works under ASGI:

- **PostgreSQL**: Django's own pool (``OPTIONS["pool"]``, psycopg_pool; Django 5.1+), with
  ``CONN_MAX_AGE=0`` as the pool requires. A request borrows a warm connection and gives it back when the
  request ends; the pool holds at most ``SPOOL_DB_POOL_MAX_SIZE`` per process. ``SPOOL_DB_POOL=false`` turns
  it off (one connection per request: what an external pooler such as PgBouncer in transaction mode needs).
  With the pool on, statements a connection runs repeatedly are prepared server-side (psycopg's
  ``prepare_threshold``), which an external transaction pooler would not allow.
- **SQLite**: :mod:`spool.core.sqlite_backend` keeps each thread's connection open after a request and
  hands it to the next request on that thread (SQLite connections are cheap to keep, costly to open: the
  schema is parsed again on each new one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from spool.config import SpoolConfig

SQLITE_ENGINE = "spool.core.sqlite_backend"
POSTGRES_ENGINE = "spool.core.postgres_backend"


def databases(config: SpoolConfig, data_dir: Path) -> dict[str, dict[str, Any]]:
    if config.database_url:
        default: dict[str, Any] = dict(dj_database_url.parse(config.database_url, conn_max_age=0))
        if default["ENGINE"] == "django.db.backends.postgresql":
            default["ENGINE"] = POSTGRES_ENGINE
            default["OPTIONS"] = {**default.get("OPTIONS", {}), **postgres_options(config)}
        return {"default": default}
    return {
        "default": {
            "ENGINE": SQLITE_ENGINE if config.db_pool else "django.db.backends.sqlite3",
            "NAME": str(data_dir / "spool.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server and the worker read while the other writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests on an in-memory database, as Django does by default for SQLite (pytest-django only
            # recognises the stock engine's name, and would otherwise derive a file name from NAME).
            "TEST": {"NAME": ":memory:"},
        }
    }


def postgres_options(config: SpoolConfig) -> dict[str, Any]:
    """The pool (when on) and the prepared-statement threshold that goes with it."""
    if not config.db_pool:
        return {}
    return {
        "pool": {
            "min_size": config.db_pool_min_size,
            "max_size": config.db_pool_max_size,
            # A request waits this long for a free connection before failing (503 by DatabaseBusyMiddleware
            # is for locks; this surfaces as an error, so it is generous).
            "timeout": config.db_pool_timeout_seconds,
        },
        # Prepare a statement server-side once a connection has run it this many times.
        "prepare_threshold": 5,
    }
