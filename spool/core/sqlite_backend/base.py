"""The connection keeping of :mod:`spool.core.sqlite_backend` (see there for why)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

from spool.core.querylog import QueryLogSwitch

# Idle connections by database file, each with the file's (device, inode) when it was opened. Shared by
# the process's threads: Django's ASGI handler runs each request's synchronous code on a thread of its own
# (asgiref's ThreadSensitiveContext), so connections must outlive threads. A connection is taken off the
# list while in use, so no two Django connections ever share one at the same time.
_idle: dict[str, list[tuple[sqlite3.Connection, tuple[int, int]]]] = {}
_lock = threading.Lock()
# Idle connections kept per file at most (more only while more requests run at once).
KEEP = 8


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


# Statements converted from Django's "format" placeholders to SQLite's "qmark" ones, by SQL text. Django
# converts with a regular expression on every execution; the hot read paths run the same few statements
# (spool.core.compiled), some kilobytes long, on every request, so the conversion was a tenth of a warm
# timeline page's CPU. Bounded: emptied when full.
CONVERTED_SIZE = 4_096
_converted: dict[str, str] = {}


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            return str(super().convert_query(query, param_names=param_names))  # type: ignore[misc]  # not in django-stubs
        found = _converted.get(query)
        if found is None:
            if len(_converted) >= CONVERTED_SIZE:
                _converted.clear()
            found = _converted[query] = super().convert_query(query)  # type: ignore[misc]
        return found


# An in-memory database shared between a process's threads (the test database, which a live server in a
# thread of the test process reads too) uses SQLite's shared cache, where a statement that meets another
# connection's table lock fails at once with "database table is locked" (SQLITE_LOCKED): the busy timeout
# does not apply. Such a statement is tried again for up to this long, as a file database (WAL) waits.
SHARED_CACHE_WAIT = 5.0


class SharedCacheCursorWrapper(CursorWrapper):
    """For in-memory databases: a statement refused by another connection's table lock waits and tries
    again (the statement did nothing; the transaction stays as it was)."""

    def execute(self, query: str, params: Any = None) -> Any:
        return _waiting(lambda: super(SharedCacheCursorWrapper, self).execute(query, params))

    def executemany(self, query: str, param_list: Any) -> Any:
        return _waiting(lambda: super(SharedCacheCursorWrapper, self).executemany(query, param_list))


def _waiting(run: Any) -> Any:
    deadline = time.monotonic() + SHARED_CACHE_WAIT
    pause = 0.001
    while True:
        try:
            return run()
        except sqlite3.OperationalError as exc:
            if "table is locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


class DatabaseWrapper(QueryLogSwitch, base.DatabaseWrapper):
    # The (device, inode) of the file when the connection in use was opened: what it reads, and what it is
    # put back with. (Looking again when putting it back cost a second ``stat`` per request, and named the
    # new file if the old one was replaced meanwhile.)
    _identity: tuple[int, int] | None = None

    def create_cursor(self, name: str | None = None) -> CursorWrapper:
        assert self.connection is not None
        return self.connection.cursor(
            factory=SharedCacheCursorWrapper if self._file() is None else CursorWrapper
        )

    def _file(self) -> str | None:
        """The database file, or None for in-memory databases (never kept)."""
        if self.is_in_memory_db():
            return None
        return str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params: dict[str, object]) -> sqlite3.Connection:
        path = self._file()
        if path is not None:
            identity = _identity(path)
            while True:
                with _lock:
                    idle = _idle.get(path)
                    kept = idle.pop() if idle else None
                if kept is None:
                    break
                if kept[1] == identity:
                    self._identity = identity
                    return kept[0]
                kept[0].close()  # the file was replaced since: that connection reads the old one
            self._identity = identity
        opened: sqlite3.Connection = super().get_new_connection(conn_params)
        return opened

    def _close(self) -> None:
        connection = self.connection
        path, identity = self._file(), self._identity
        self._identity = None
        if connection is not None and path is not None and identity is not None:
            with self.wrap_database_errors:
                if connection.in_transaction:
                    connection.rollback()
            with _lock:
                idle = _idle.setdefault(path, [])
                if len(idle) < KEEP:
                    idle.append((connection, identity))
                    return
        super()._close()  # type: ignore[misc]  # django-stubs omit BaseDatabaseWrapper._close


def close_idle() -> int:
    """Close every kept connection (the next ones open their files again); how many were closed."""
    with _lock:
        kept = [connection for idle in _idle.values() for connection, _ in idle]
        _idle.clear()
    for connection in kept:
        connection.close()
    return len(kept)
