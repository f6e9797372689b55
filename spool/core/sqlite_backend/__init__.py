"""Django's SQLite backend, with each thread's connection kept open from one request to the next.

Under ASGI every request has its own database connection object (Django keeps them context-local), so
``CONN_MAX_AGE`` never carries a connection over and each request would open the file again: register
Django's SQL functions, run the ``init_command`` pragmas and parse the whole schema on the first statement.
Here closing a connection parks the open ``sqlite3`` connection on its thread instead, and the next
connection that thread opens to the same file takes it. Django runs a worker's synchronous code on one
thread (``sync_to_async(thread_sensitive=True)``), so in a server process that is one open connection,
reused by every request.

A parked connection is never in a transaction (rolled back when parked), is only ever taken by the thread
that parked it, and is only reused while its file is the same file (same device and inode) — a database
file replaced on disk gets a new connection. In-memory databases are left to Django (it never closes them).
"""

from spool.core.sqlite_backend.base import DatabaseWrapper

__all__ = ["DatabaseWrapper"]
