"""The connection keeping of :mod:`spool.core.sqlite_backend` (see there for why)."""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from django.db.backends.sqlite3 import base

# Per thread: the database file → (its parked connection, the file's (device, inode) when parked).
_parked = threading.local()


def _shelf() -> dict[str, tuple[sqlite3.Connection, tuple[int, int]]]:
    shelf = getattr(_parked, "shelf", None)
    if shelf is None:
        shelf = _parked.shelf = {}
    return shelf


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class DatabaseWrapper(base.DatabaseWrapper):
    def _file(self) -> str | None:
        """The database file, or None for in-memory databases (never parked)."""
        if self.is_in_memory_db():
            return None
        return str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        path = self._file()
        if path is not None:
            parked = _shelf().pop(path, None)
            if parked is not None:
                kept, identity = parked
                if identity == _identity(path):
                    return kept
                kept.close()
        opened: sqlite3.Connection = super().get_new_connection(conn_params)
        return opened

    def _close(self) -> None:
        connection = self.connection
        path = self._file()
        shelf = _shelf()
        identity = _identity(path) if path is not None else None
        if connection is None or path is None or identity is None or path in shelf:
            super()._close()  # type: ignore[misc]  # django-stubs omit BaseDatabaseWrapper._close
            return
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()
        shelf[path] = (connection, identity)


def close_parked() -> int:
    """Close this thread's parked connections (the next connection opens the file again); how many."""
    shelf = _shelf()
    for connection, _ in shelf.values():
        connection.close()
    closed = len(shelf)
    shelf.clear()
    return closed
