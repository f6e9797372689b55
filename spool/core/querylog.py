"""Django records every SQL statement a connection runs (``connection.queries``) whenever ``DEBUG`` is on:
the statement with its values written in, its duration, a debug log record; about 6 % of an inbox
worker's CPU. ``SPOOL_DEBUG_QUERIES=0`` turns the recording off in debug mode, for what runs in debug mode
for another reason (the federation benches: development mode, which reaches loopback servers, is refused
unless debug is on) yet should cost what it costs in production. ``CaptureQueriesContext`` (query
budgets in tests) records regardless: it forces the recording on its connection. Both of Spool's backends
mix it in. (An earlier try on SQLite seemed to cost the warm home timeline 4 to 5 ms of server CPU a
request over HTTP; re-measured on 2026-11-25, alternating, `python -m bench --scenarios http --databases
sqlite --seconds 5`: 1.98 and 2.34 ms with it, 2.09 and 2.16 ms without: no cost. Those servers run with
``DEBUG`` off, where the switch decides nothing. The SQLite inbox worker in the federation bench, which runs
in debug mode, spent 10 to 15 % of its CPU recording, its ``SELECT QUOTE(?)`` per value included.)"""

from __future__ import annotations

from django.conf import settings


class QueryLogSwitch:
    """Mixed into Spool's backends' ``DatabaseWrapper`` (before Django's)."""

    force_debug_cursor: bool

    @property
    def queries_logged(self) -> bool:
        return self.force_debug_cursor or (settings.DEBUG and settings.SPOOL.debug_queries)
