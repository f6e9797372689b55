"""Django records every SQL statement a connection runs (``connection.queries``) whenever ``DEBUG`` is on:
the statement with its values written in, its duration, a debug log record; about 6 % of an inbox
worker's CPU. ``SPOOL_DEBUG_QUERIES=0`` turns the recording off in debug mode, for what runs in debug mode
for another reason (the federation benches: development mode, which reaches loopback servers, is refused
unless debug is on) yet should cost what it costs in production. ``CaptureQueriesContext`` (query
budgets in tests) records regardless: it forces the recording on its connection. PostgreSQL only: mixed
into Spool's SQLite backend, the warm home timeline over HTTP cost 4 to 5 ms more server CPU a request
(``python -m bench --scenarios http --databases sqlite``: 142 to 167 req/s against 360 to 403
without it, cause not found), so SQLite records in debug mode whatever this says."""

from __future__ import annotations

from django.conf import settings


class QueryLogSwitch:
    """Mixed into the PostgreSQL backend's ``DatabaseWrapper`` (before Django's)."""

    force_debug_cursor: bool

    @property
    def queries_logged(self) -> bool:
        return self.force_debug_cursor or (settings.DEBUG and settings.SPOOL.debug_queries)
