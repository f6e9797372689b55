"""Django's PostgreSQL backend, with timestamps read by psycopg's own (compiled) loader, and a native
cursor for statements compiled once per process (:mod:`spool.core.compiled`), bound and prepared
server-side (``DatabaseWrapper.native_cursor``).

Django registers a timestamp-with-time-zone loader of its own (``SpecificTzLoader``): psycopg's *Python*
loader, then ``replace(tzinfo=…)`` with the connection's time zone. The session's ``TimeZone`` is Django's,
so when that is UTC psycopg's compiled loader returns the very same values (aware, ``datetime.timezone.utc``)
at a tenth of the cost; a timeline page reads some sixty timestamps, and that loader was a fifteenth of its
CPU. Any other time zone keeps Django's loader.
"""

from spool.core.postgres_backend.base import DatabaseWrapper

__all__ = ["DatabaseWrapper"]
