"""The fast timestamp loader and the native cursor of :mod:`spool.core.postgres_backend` (see there)."""

from __future__ import annotations

import datetime
import re
from functools import cache
from typing import Any

import psycopg
from django.db.backends.postgresql import base, operations
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format

from spool.core.querylog import QueryLogSwitch

_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
# psycopg's own loader: the compiled one where psycopg has its C extension (psycopg-binary).
_NATIVE: Any = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class UtcTimestampLoader(Loader):
    """psycopg's loader for a session in UTC. ``timezone`` is what Django's ``create_cursor`` compares
    with the connection's (to register its own loader on a cursor when they differ)."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        # The compiled loader's bound method, called directly by psycopg's row loading (no Python frame
        # in between); the method below only satisfies Loader's interface.
        self.load = _NATIVE(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> Any:
        return _NATIVE(self.oid, None).load(data)


class JsonbTextBinaryLoader(Loader):
    """``jsonb`` in binary results as its text, as Django's loader of text results returns it (Django
    parses JSON itself): a version byte, then the text."""

    format = Format.BINARY

    def load(self, data: Any) -> Any:
        return bytes(data[1:]).decode()


@cache
def _adapters(template: AdaptersMap) -> AdaptersMap:
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestampLoader)
    adapters.register_loader("jsonb", JsonbTextBinaryLoader)
    return adapters


_PLACEHOLDER = re.compile(r"\$(\d+)")


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str:
        """What query logging shows (``connection.queries``, ``CaptureQueriesContext``): a native cursor's
        statement with its values written in for its ``$1``… placeholders (psycopg keeps no text at all
        for a statement it ran prepared)."""
        if not isinstance(cursor, psycopg.RawCursor):
            return super().last_executed_query(cursor, sql, params)
        if not params:
            return sql
        return _PLACEHOLDER.sub(lambda m: str(self.compose_sql("%s", [params[int(m.group(1)) - 1]])), sql)


class DatabaseWrapper(QueryLogSwitch, base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if self.timezone is datetime.UTC and params.get("context") is not None:
            params["context"] = _adapters(params["context"])
        return params

    def _set_autocommit(self, autocommit: bool) -> None:
        """Django's, but nothing when the connection is already so: a connection from the pool always is
        in autocommit (the pool makes them so), and Django sets it again on every checkout, once per
        request (psycopg takes its lock and runs its generator even for the same value)."""
        if self.connection.autocommit == autocommit:
            return
        super()._set_autocommit(autocommit)  # type: ignore[misc]

    def native_cursor(self, binary: bool = False) -> Any:
        """A cursor for statements written with PostgreSQL's own placeholders (``$1``…), wrapped as Django
        wraps its cursors (query logging, execute wrappers, error translation): psycopg sends the SQL as it
        is, never scanning it for ``%s``, binds the values server-side, and prepares the statement once a
        connection has run it ``prepare_threshold`` times. Django's own cursors bind client-side (the
        values written into the SQL), so nothing they run is ever prepared. ``binary``: results in binary
        format (the same Python values; cheaper for the server to send and for psycopg to read, numbers
        and times above all), for statements whose rows are many and wide."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = psycopg.RawCursor(self.connection)
            if binary:
                cursor.format = Format.BINARY
            return self._prepare_cursor(cursor)  # type: ignore[attr-defined]
