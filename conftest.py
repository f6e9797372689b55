"""Fixtures shared by the whole suite."""

from __future__ import annotations

import fcntl
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase

from tests.redis_keys import delete_redis_keys

_addresses = itertools.count(1)


class CommitClient(Client):
    """The Django test client, but each request's ``on_commit`` work runs when the request ends — as it
    would after a real commit — even though the test wraps everything in one transaction.

    Each client is a separate device with its own network address (from 198.18.0.0/15, the range set aside
    for testing), so per-address rate limits apply per client as they would per person."""

    def __init__(self, *args: Any, **defaults: Any) -> None:
        n = next(_addresses)
        defaults.setdefault("REMOTE_ADDR", f"198.18.{n // 250 % 250}.{n % 250 + 1}")
        super().__init__(*args, **defaults)

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client(db: None) -> CommitClient:
    return CommitClient()


@pytest.fixture
def anon(db: None) -> CommitClient:
    """A logged-out visitor."""
    return CommitClient()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Iterator[Any]:
    """Run services directly with their after-commit work executed."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases, with PostgreSQL's connection pool (spool.databases) closed before they
    are dropped: its idle connections would otherwise keep the test database in use."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all(initialized_only=True):
            conn.close()
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()


@pytest.fixture(autouse=True, scope="session")
def _flush_postgres_by_delete() -> Iterator[None]:
    """After each transactional test (``transaction=True``, live servers) Django empties every table
    ("flush"); on PostgreSQL with one ``TRUNCATE`` of all ~100 tables, which gives each table and index new
    files and took ~4 s a test. A ``DELETE`` of each table, in the same one transaction, leaves them as
    empty in milliseconds: Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``, so the order does not
    matter. Sequences are not reset either way; Django's own flush still serves the options we do not use."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608 (table names)

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Spool data directory whose embedded (SQLite) database is migrated, made once per run — shared by the
    xdist workers — for tests that start real instances (``manage.py serve``): they copy it
    (``Instance.migrate(migrated_data_dir)``) instead of migrating again, which takes seconds of CPU each."""
    from spool.federation.devpair import Instance

    # pytest-xdist's workers each get a folder under the run's one: share that.
    root = tmp_path_factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    template = Instance("migrated", 0, root / "migrated-instance")
    with open(root / "migrated-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = template.data_dir / "migrated"
        if not done.exists():
            template.migrate()
            done.touch()
    return template.data_dir


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_eagerly() -> None:
    """Background tasks run synchronously in tests, through the real task code."""
    from spool.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "argon2: hash passwords with the production hasher (argon2)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: Any, settings: Any) -> None:
    """argon2 is deliberately slow (that is its job); tests that are not about it hash with a fast hasher.
    Tests marked ``argon2`` keep the production setting."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings: Any, tmp_path: Any) -> None:
    """Rate-limit counters outlive a test's transaction: start each test from zero (Redis ones: see
    ``_fresh_redis_keys``; the database counters roll back with the test; this process's local ones are
    forgotten).
    Each test has its own token-generation stamp: the other xdist worker's tests must not make this one's
    remembered tokens forgotten mid-test."""
    from spool.core.ratelimit import reset_local
    from spool.oauth.credentials import new_generation

    reset_local()
    settings.TOKEN_GENERATION_FILE = tmp_path / "token-generation"
    new_generation()  # remembered bearer tokens (spool.oauth.credentials) too


@pytest.fixture(autouse=True)
def _fresh_rollout_flags() -> None:
    """The cached rollout flags outlive a test's transaction: start each test without them."""
    from django.core.cache import cache

    from spool.rollout.evaluate import CACHE_KEY

    cache.delete(CACHE_KEY)


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> None:
    """Each test starts with a new channel layer: the Redis layer's connections and locks belong to the event
    loop that first used them, and WebSocket tests each run their own loop (and live servers theirs)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _fresh_trending() -> None:
    """Trending's cached snapshot outlives a test's transaction: start each test without it (its Redis
    counters: ``_fresh_redis_keys``)."""
    from django.core.cache import cache

    cache.delete("trending:v1")


@pytest.fixture(autouse=True)
def _fresh_candidate_pools() -> None:
    """For You's candidate pools are cached (embedded) or kept in Redis beyond a test's transaction: start
    each test without them (Redis: ``_fresh_redis_keys``; the embedded rows roll back with the test)."""
    from django.core.cache import cache

    from spool.feeds.for_you.pools import POOLS

    cache.delete_many([f"foryou:pool:{name}" for name in POOLS])


@pytest.fixture(autouse=True)
def _fresh_redis_keys(settings: Any) -> None:
    """What outlives a test's transaction in Redis, deleted in one SCAN of the database (this worker's keys
    only): rate-limit counters, trending's topic and keyword counters, For You's candidate pools."""
    if settings.SPOOL.redis_url:
        delete_redis_keys(*(f"{settings.KEY_PREFIX}:{kind}:*" for kind in ("rl", "tr", "kw", "fy:pool")))
