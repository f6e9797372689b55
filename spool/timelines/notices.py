"""What this process hears of the database's notices of changed rows (PostgreSQL only; migration
``timelines/0005`` lists the payloads), so that a remembered home page
(:mod:`spool.api.mastodon.page_cache`) can be served again without asking the database whether anything
it was made from changed.

:data:`ear` listens on a connection of its own, in a daemon thread started by the first page that could
use it (:meth:`Ear.start`). Everything it hears is numbered (``heard``) and kept for a while (the last
``RECENT`` payloads), and each payload is handed to the callbacks registered with :meth:`Ear.on_heard`,
under :attr:`Ear.lock`.

A page may trust what it heard only from a point taken *before* it read the database
(:meth:`Ear.mark`): a change committed after the page's snapshot is announced after that point, so either
it was heard before the page was kept (:meth:`Ear.heard_since` finds it) or it is heard later (the
callbacks find the page). The ``era`` changes whenever this cannot be told: listening started again after
the connection was lost (notices sent meanwhile are gone), or the set of accounts merged at read time
changed (``C``). A page is trusted only within the era it was read in.

What is trusted is never older than the notices still on their way: between a commit and the moment this
process has handled its notice (normally well under a millisecond; a busy process takes longer), a page
can still be served as it was. That is the same promise the Following feed makes anyway (fan-out runs
after the post is committed), and the viewer's own writes are no exception to it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

CHANNEL = "spool_pages"
CELEBRITIES_CHANGED = "C"
# Payloads kept to answer heard_since(): far more than a page read sees arrive during it.
RECENT = 4096
# Seconds between attempts to listen again after the connection failed.
RETRY_SECONDS = 1.0
# Seconds the listening thread waits for a notice before it looks whether it should stop.
POLL_SECONDS = 1.0
_SYNC = "sync:"


class Mark(NamedTuple):
    """A point in what this process heard: the era, and how many notices it had heard by then."""

    era: int
    heard: int


class Ear:
    """Listens for the database's notices of changed rows (one connection, one daemon thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.era = 0  # bumped whenever what was heard before no longer tells what changed
        self.listening = False  # LISTEN in effect on a live connection
        self.heard = 0
        self._recent: deque[tuple[int, str]] = deque(maxlen=RECENT)
        self._callbacks: list[Callable[[str], None]] = []
        self._era_callbacks: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._synced = threading.Condition(self.lock)
        self._sync_seen: set[str] = set()

    # -- used by pages -------------------------------------------------------------------------------------

    def start(self) -> bool:
        """Listen from now on, when this process may (PostgreSQL, ``SPOOL_PAGE_NOTICES`` on); whether it
        listens already."""
        if not settings.SPOOL.page_notices:
            return False
        if self._thread is None:
            if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
                return False
            with self.lock:
                if self._thread is None:
                    self._stop.clear()
                    self._thread = threading.Thread(target=self._run, name="spool-page-notices", daemon=True)
                    self._thread.start()
        return self.listening

    def mark(self) -> Mark | None:
        """Where this process is now in what it heard; None while it is not listening."""
        with self.lock:
            return Mark(self.era, self.heard) if self.listening else None

    def heard_since(self, mark: Mark, payloads: Collection[str]) -> bool:
        """Whether any of ``payloads`` may have been announced since ``mark`` (True when that cannot be
        told: another era, or more heard since than is kept). Call with :attr:`lock` held."""
        if mark.era != self.era or not self.listening:
            return True
        if mark.heard == self.heard:
            return False
        if not self._recent or self._recent[0][0] > mark.heard + 1:
            return True
        return any(payload in payloads for number, payload in reversed(self._recent) if number > mark.heard)

    def on_heard(self, callback: Callable[[str], None], era: Callable[[], None] | None = None) -> None:
        """Call ``callback(payload)`` for each notice heard and ``era()`` when the era changes, both with
        :attr:`lock` held (they must not take it again, nor block)."""
        self._callbacks.append(callback)
        if era is not None:
            self._era_callbacks.append(era)

    def caught_up(self, timeout: float = 10.0) -> bool:
        """Announce a notice of this process's own and wait until it is heard: every notice committed before
        this call has then been heard too (PostgreSQL delivers them in commit order). False when not heard
        within ``timeout`` seconds."""
        token = f"{_SYNC}{time.monotonic_ns()}:{threading.get_ident()}"
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, token])
        with self._synced:
            found = self._synced.wait_for(lambda: token in self._sync_seen, timeout)
            self._sync_seen.discard(token)
            return found

    def stop(self) -> None:
        """Stop listening (the thread ends within ``POLL_SECONDS``); a later :meth:`start` listens again."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(POLL_SECONDS + 1)
        with self.lock:
            self._thread = None
            self._new_era(listening=False)

    # -- the listening thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(**_connection_params(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    with self.lock:
                        self._new_era(listening=True)
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=POLL_SECONDS):
                            self._hear(notice.payload)
            except Exception:
                logger.warning("page notices: listening failed; pages are checked by statement meanwhile",
                               exc_info=True)  # fmt: skip
            finally:
                with self.lock:
                    self._new_era(listening=False)
            self._stop.wait(RETRY_SECONDS)

    def _hear(self, payload: str) -> None:
        with self.lock:
            if payload.startswith(_SYNC):
                self._sync_seen.add(payload)
                self._synced.notify_all()
                return
            if payload == CELEBRITIES_CHANGED:
                self._new_era(listening=self.listening)
                return
            self.heard += 1
            self._recent.append((self.heard, payload))
            for callback in self._callbacks:
                callback(payload)

    def _new_era(self, *, listening: bool) -> None:
        self.era += 1
        self.listening = listening
        self._recent.clear()
        for callback in self._era_callbacks:
            callback()


def _connection_params() -> dict[str, Any]:
    """The default database's connection parameters, without Django's pool and cursor class."""
    params = connections[DEFAULT_DB_ALIAS].get_connection_params()
    for key in ("pool", "cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


ear = Ear()
