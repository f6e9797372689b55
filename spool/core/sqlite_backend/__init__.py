"""Django's SQLite backend, with each thread's connection kept open from one request to the next.

Under ASGI every request has its own database connection object (Django keeps them context-local), so
``CONN_MAX_AGE`` never carries a connection over and each request would open the file again: register
Django's SQL functions, run the ``init_command`` pragmas and parse the whole schema on the first statement.
Here closing a connection puts the open ``sqlite3`` connection on a process-wide idle list instead (up
to ``KEEP`` per file), and the next connection opened to the same file takes it — whichever thread asks:
Django's ASGI handler gives each request's synchronous code a thread of its own, so a per-thread cache
would never hit. A kept connection is in use by one Django connection at a time (it is off the list while
in use; Django opens SQLite connections with ``check_same_thread=False``), is never in a transaction
(rolled back when put back), and is only reused while its file is the same file (same device and inode) —
a database file replaced on disk gets a new connection. In-memory databases are left to Django (it never
closes them).
"""

from spool.core.sqlite_backend.base import DatabaseWrapper

__all__ = ["DatabaseWrapper"]
