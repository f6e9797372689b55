"""Storing an accepted activity in a SQLite database file whose write lock another process holds (the
worker applying a batch): the insert waits, polling, and stores the item once the lock is free; it gives
up with the busy error (answered 503) after the connection's timeout, the wait behind the process's other
inserts included; the connection keeps its timeout."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from spool.core.busy import is_busy
from spool.core.snowflake import next_id
from spool.core.sqlite_backend.base import DatabaseWrapper
from spool.federation.inbox import _insert, _stored, _values
from spool.federation.models import InboxItem

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")


def _connect(path: Path) -> DatabaseWrapper:
    """A Django connection (for this thread) to the database file ``path``, with a 1 s timeout."""
    return DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(path), "OPTIONS": {"timeout": 1}}, alias="inbox_busy"
    )


def _close(db: DatabaseWrapper) -> None:
    if db.connection is not None:
        db.connection.close()  # not kept for another request (spool.core.sqlite_backend)
        db.connection = None


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[tuple[DatabaseWrapper, Path]]:
    """A Django connection to a database file of its own holding the inbox table."""
    path = tmp_path / "inbox.sqlite3"
    db = _connect(path)
    with django_db_blocker.unblock():
        with db.schema_editor(collect_sql=True, atomic=False) as editor:
            editor.create_model(InboxItem)
        with sqlite3.connect(path) as schema:
            for statement in editor.collected_sql:
                schema.execute(statement)
        yield db, path
        _close(db)


def _row(activity_id: str) -> list[Any]:
    body = {"id": activity_id, "type": "Like", "actor": "https://a.example/u/x", "object": "https://b/1"}
    item = InboxItem(
        id=next_id(),
        activity_id=activity_id,
        activity_type="Like",
        actor_uri=body["actor"],
        body=body,
        received_at=timezone.now(),
    )
    return [
        field.get_db_prep_save(value, connection) if adapt else value
        for (field, adapt), value in zip(_stored(), _values(item), strict=True)
    ]


@contextmanager
def _write_lock_held(path: Path, seconds: float) -> Iterator[None]:
    """Another connection (another process, for SQLite) holds the file's write lock for ``seconds``."""
    held = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        threading.Event().wait(seconds)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        yield
    finally:
        holder.join()


def _stored_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as reader:
        return [row[0] for row in reader.execute("SELECT activity_id FROM federation_inboxitem")]


def test_the_insert_waits_for_the_write_lock_and_stores_the_item(database: tuple[Any, Path]) -> None:
    db, path = database
    with _write_lock_held(path, 0.3):
        assert _insert(_row("https://a.example/likes/1"), db)
    assert _stored_ids(path) == ["https://a.example/likes/1"]
    # The connection (kept for the next request) has its own timeout again, not the polls' one.
    assert db.connection.execute("PRAGMA busy_timeout").fetchone()[0] == 1000


def test_a_lock_held_past_the_timeout_is_the_busy_error(database: tuple[Any, Path]) -> None:
    db, path = database
    with _write_lock_held(path, 1.6), pytest.raises(OperationalError) as refused:
        _insert(_row("https://a.example/likes/2"), db)
    assert is_busy(refused.value)  # answered 503 (spool.core.busy), nothing stored
    assert _stored_ids(path) == []
    assert db.connection.execute("PRAGMA busy_timeout").fetchone()[0] == 1000


def test_an_insert_behind_another_waiting_one_gives_up_within_the_timeout(database: tuple[Any, Path]) -> None:
    db, path = database
    first: list[BaseException] = []
    started = threading.Event()

    def insert_first() -> None:
        mine = _connect(path)
        started.set()
        try:
            _insert(_row("https://a.example/likes/3"), mine)
        except OperationalError as exc:
            first.append(exc)
        finally:
            _close(mine)

    with _write_lock_held(path, 1.8):
        other = threading.Thread(target=insert_first)
        other.start()
        started.wait()
        # Behind the first insert (1 s), then for the database: 1 s in all, busy before the lock is free
        # (counting from the database wait only, it would take the lock once free, at 1.8 s).
        with pytest.raises(OperationalError) as refused:
            _insert(_row("https://a.example/likes/4"), db)
        other.join()
    assert is_busy(refused.value) and len(first) == 1 and is_busy(first[0])
    assert _stored_ids(path) == []
