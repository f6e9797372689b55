"""Database connections under ASGI (spool.databases, spool.core.sqlite_backend): PostgreSQL requests borrow
from a pool instead of each opening (and, with CONN_MAX_AGE, leaking) a connection; SQLite keeps closed
connections open for the next request, never in a transaction and never in use by two at once."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from django.db import connection
from django.db.utils import ConnectionHandler

from spool.config import SpoolConfig
from spool.databases import SQLITE_ENGINE, databases
from tests.live import LiveSpool, live_spool  # noqa: F401 - the fixture

# --- Settings chosen by the environment ---------------------------------------------------------------


def _config(monkeypatch: pytest.MonkeyPatch, **env: str) -> SpoolConfig:
    for name in ("DATABASE_URL", "SPOOL_DB_POOL", "SPOOL_DB_POOL_MAX_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return SpoolConfig()


def test_postgres_gets_a_pool_and_never_persistent_connections(monkeypatch, tmp_path):
    config = _config(monkeypatch, DATABASE_URL="postgres://spool@db:5432/spool", SPOOL_DB_POOL_MAX_SIZE="12")
    default = databases(config, tmp_path)["default"]
    assert default["CONN_MAX_AGE"] == 0
    assert default["OPTIONS"]["pool"]["max_size"] == 12
    assert default["OPTIONS"]["prepare_threshold"] == 5


def test_postgres_without_pool_behind_an_external_pooler(monkeypatch, tmp_path):
    config = _config(monkeypatch, DATABASE_URL="postgres://spool@db:5432/spool", SPOOL_DB_POOL="false")
    default = databases(config, tmp_path)["default"]
    assert default["CONN_MAX_AGE"] == 0
    assert "pool" not in default["OPTIONS"]
    assert "prepare_threshold" not in default["OPTIONS"]


def test_sqlite_keeps_connections_unless_turned_off(monkeypatch, tmp_path):
    assert databases(_config(monkeypatch), tmp_path)["default"]["ENGINE"] == SQLITE_ENGINE
    off = databases(_config(monkeypatch, SPOOL_DB_POOL="0"), tmp_path)["default"]
    assert off["ENGINE"] == "django.db.backends.sqlite3"


# --- SQLite: each thread's connection kept ------------------------------------------------------------


def _sqlite(path: Path) -> Any:
    """A fresh Django connection (as a new request gets) to the SQLite file ``path``."""
    options = {"init_command": "PRAGMA foreign_keys=ON;"}
    handler = ConnectionHandler({"default": {"ENGINE": SQLITE_ENGINE, "NAME": str(path), "OPTIONS": options}})
    return handler["default"]


def _has_marker(conn: Any) -> bool:
    """Whether this connection's session holds the TEMP table made by :func:`_mark` (per connection)."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_temp_master WHERE name = 'marker'")
        return bool(cursor.fetchone()[0])


def _mark(conn: Any) -> None:
    with conn.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE marker (x)")


@pytest.fixture
def sqlite_file(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """A database file of its own (not the test database), which these tests may open."""
    path = tmp_path / "kept.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE item (name TEXT)")
    with django_db_blocker.unblock():
        yield path


def test_the_next_connection_is_the_same_session_whatever_the_thread(sqlite_file):
    first = _sqlite(sqlite_file)
    _mark(first)
    first.close()
    # Django's ASGI handler runs each request on a thread of its own: the next request's thread gets it.
    seen: list[bool] = []

    def next_request() -> None:
        conn = _sqlite(sqlite_file)
        seen.append(_has_marker(conn))
        conn.close()

    thread = threading.Thread(target=next_request)
    thread.start()
    thread.join()
    assert seen == [True]


def test_a_connection_in_use_is_never_shared(sqlite_file):
    first = _sqlite(sqlite_file)
    _mark(first)
    first.close()
    taken = _sqlite(sqlite_file)
    assert _has_marker(taken)
    # While the first request still holds it, a second one opens its own session.
    other = _sqlite(sqlite_file)
    assert not _has_marker(other)
    other.close()
    taken.close()


def test_an_open_transaction_is_rolled_back_when_kept(sqlite_file):
    first = _sqlite(sqlite_file)
    first.set_autocommit(False)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO item (name) VALUES ('uncommitted')")
    first.close()
    # The write lock is released (another connection can write) and the row is gone.
    with sqlite3.connect(sqlite_file, timeout=0.1) as raw:
        raw.execute("INSERT INTO item (name) VALUES ('other')")
    second = _sqlite(sqlite_file)
    with second.cursor() as cursor:
        cursor.execute("SELECT name FROM item")
        assert [r[0] for r in cursor.fetchall()] == ["other"]
    second.close()


def _replace_file(sqlite_file: Path, tmp_path: Path) -> None:
    """Put another database file, holding one item ``new file``, in place of ``sqlite_file``."""
    fresh = tmp_path / "fresh.sqlite3"
    with sqlite3.connect(fresh) as raw:
        raw.execute("CREATE TABLE item (name TEXT)")
        raw.execute("INSERT INTO item (name) VALUES ('new file')")
    os.replace(fresh, sqlite_file)


def _assert_reads_the_new_file(sqlite_file: Path) -> None:
    second = _sqlite(sqlite_file)
    assert not _has_marker(second)
    with second.cursor() as cursor:
        cursor.execute("SELECT name FROM item")
        assert cursor.fetchone()[0] == "new file"
    second.close()


def test_a_replaced_database_file_gets_a_new_connection(sqlite_file, tmp_path):
    first = _sqlite(sqlite_file)
    _mark(first)
    first.close()
    _replace_file(sqlite_file, tmp_path)
    _assert_reads_the_new_file(sqlite_file)


def test_a_file_replaced_while_its_connection_is_in_use_gets_a_new_connection(sqlite_file, tmp_path):
    """The connection is put back with the file it was opened on, not the file in its place by then: it
    still reads the old one."""
    first = _sqlite(sqlite_file)
    _mark(first)
    _replace_file(sqlite_file, tmp_path)
    first.close()
    _assert_reads_the_new_file(sqlite_file)


# --- PostgreSQL: requests over real HTTP borrow pooled connections --------------------------------------


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_requests_over_asgi_reuse_pooled_connections(live_spool: LiveSpool) -> None:  # noqa: F811
    pool = connection.pool
    assert pool is not None
    before = _backends()
    opened = pool.get_stats().get("connections_num", 0)
    session = requests.Session()
    for _ in range(30):
        # The public timeline reads the database on every request.
        assert session.get(f"{live_spool.url}/api/v1/timelines/public", timeout=30).status_code == 200
    stats = pool.get_stats()
    # Thirty requests, each with its own connection object, were served by a handful of pooled
    # connections: without the pool each would open one (and with CONN_MAX_AGE leave it open).
    assert stats["requests_num"] >= 30
    assert stats.get("connections_num", 0) - opened <= pool.max_size
    assert _backends() - before <= pool.max_size


class _WorkerTask:
    """What Celery's signals carry as ``sender``: a task, here one a worker runs (not eagerly)."""

    request = SimpleNamespace(is_eager=False)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_keeps_its_pool_from_task_to_task() -> None:
    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun

    from spool.celery import app

    # Celery's own fixup, as a prefork worker installs it, around tasks that each read the database.
    fixup = DjangoWorkerFixup(app)
    fixup.worker = SimpleNamespace(pool_cls="celery.concurrency.prefork:TaskPool")
    task = _WorkerTask()
    pool = connection.pool
    opened = pool.get_stats().get("connections_num", 0)
    for _ in range(20):
        fixup.on_task_prerun(sender=task)
        _select_one()
        fixup.on_task_postrun(sender=task)
        task_postrun.send(sender=task)
        assert connection.connection is None  # given back to the pool after each task
    # The same pool served them all (Celery closed it around every task: two new backends each).
    assert connection.pool is pool
    assert pool.get_stats().get("connections_num", 0) - opened <= 1


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_in_autocommit_is_not_set_again_and_transactions_still_switch_it() -> None:
    """Each checkout from the pool asks for autocommit, which a pooled connection always has: the backend
    leaves it alone then (spool.core.postgres_backend), and still turns it off and on around a transaction."""
    from django.db import transaction

    connection.close()  # given back: the next statement checks one out (Django sets autocommit then)
    _select_one()
    native = connection.connection
    assert native.autocommit and connection.get_autocommit()
    connection.set_autocommit(True)  # the same value: nothing to do
    assert native.autocommit
    with transaction.atomic():
        assert not native.autocommit
        _select_one()
    assert native.autocommit and connection.get_autocommit()
    connection.set_autocommit(False)
    assert not native.autocommit
    connection.set_autocommit(True)
    assert native.autocommit
    _select_one()


# --- Redis: the cache's connections shared by every request's cache object ----------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis only")
def test_each_requests_cache_object_uses_the_process_redis_connections() -> None:
    from django.core.cache import caches

    # Under ASGI each request gets a new cache object (context-local), as create_connection makes here.
    # Redis tells which connection served each: the same one, where each object used to open its own.
    seen = set()
    for _ in range(10):
        cache = caches.create_connection("default")
        cache.set("connections-test", 1)
        seen.add(cache._cache.get_client(write=True).client_id())  # type: ignore[attr-defined]
    assert len(seen) == 1


# --- Query recording in debug mode ----------------------------------------------------------------------


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_debug_mode_records_queries_unless_turned_off(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SPOOL_DEBUG_QUERIES=0`` stops Django recording every statement in debug mode (what the federation
    benches need: debug on for development mode, the cost of production); query budgets still count."""
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = True
    reset_queries()
    _select_one()
    assert [q["sql"] for q in connection.queries] == ["SELECT 1"]

    monkeypatch.setattr(settings.SPOOL, "debug_queries", False)
    reset_queries()
    _select_one()
    assert connection.queries == []
    with CaptureQueriesContext(connection) as captured:
        _select_one()
    assert len(captured) == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's shared cache only")
@pytest.mark.django_db(transaction=True)
def test_a_read_that_meets_a_write_lock_on_the_shared_test_database_waits_for_it() -> None:
    """The in-memory test database is SQLite's shared cache: a read of a table another connection is
    writing failed at once ("database table is locked"), where a file database would wait; a live server
    in a thread rendered a notification while the next request wrote (test_mastodon_py, now and then)."""
    from django.db import connections, transaction

    from spool.identities.models import Account

    assert connection.is_in_memory_db()
    writing, written = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                Account.objects.create(handle="locker", display_name="Locker")  # the table's write lock
                writing.set()
                written.wait(0.3)  # held for a while, as a request's transaction is
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(5)
    try:
        names = list(Account.objects.values_list("handle", flat=True))  # another connection: waits
    finally:
        written.set()
        thread.join()
    assert "locker" in names  # read once the writer had committed, without an error
