"""Asking the worker to drain the inbox, at most once per ``WINDOW`` per process, and only when no drain
due already will take the items.

Every stored inbox item used to send a task of its own; now the request after each commit is coalesced:
the first one in a quiet moment sends a ``drain_inbox`` task at once, the ones that follow within
``WINDOW`` send one more task when the window ends (a timer thread). Before it sends, a process looks
(one query) whether an older fresh item (never tried) is waiting in the partition of each item it asks
for, or (PostgreSQL) whether a drain holds that partition's lock now: the drain that will take that item
loops until its partition holds no fresh item, and a drain holding the lock looks once more after letting
go, so either takes these too (they were committed before the look, so before that drain's claims or its
last look), and the task is not sent. The look reads only the oldest few fresh items (not the whole
backlog): a partition it did not see gets its drain sent. While
the worker is busy, most requests found such an item: their drains used to wait in the queue and find
nothing (on SQLite, 141 of 152 drains of a 3,000-activity run).

Nothing is missed: a drain sent after an item was committed sees that item, and every request is followed
by a send or by a look that found the older item whose drain takes it. If the process dies with a send
still due, or a drain dies midway, the items are still stored, and ``retry_deliveries`` (every minute)
picks up pending items that nobody drained. A drain out of time asks for the next one unconditionally.

When tasks run eagerly (tests, setup scripts), the drain runs at once, in the caller.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

WINDOW = 0.05  # seconds

_lock = threading.Lock()
_timer: threading.Timer | None = None
_last_sent = 0.0
# What the send due covers: the oldest item asked for per partition, and whether a request named no item.
_oldest: dict[int, int] = {}
_unconditional = False


def request_drain(item_id: int | None = None, actor_uri: str = "") -> None:
    """Make sure a drain task starts after this moment (see the module docstring), for the stored item
    ``item_id`` of ``actor_uri`` (``None``: for whatever is waiting; always sent)."""
    global _timer, _last_sent
    from spool.celery import app

    part = None if item_id is None else _partition(actor_uri)
    with _lock:
        if _timer is not None:  # a send is due after this moment already (never when tasks run eagerly)
            _cover(item_id, part)
            return
    # Celery's settings are slow to read (about 11 µs): only read here, not by the requests a send due
    # covers (under load, nearly all of them).
    if app.conf.task_always_eager:
        _send()
        return
    with _lock:
        _cover(item_id, part)
        if _timer is not None:
            return  # another request started the timer meanwhile
        wait = _last_sent + WINDOW - time.monotonic()
        if wait > 0:
            _timer = threading.Timer(wait, _send_due)
            _timer.daemon = True
            _timer.start()
            return
        _last_sent = time.monotonic()
        covered = _take()
    _send_unless_taken(*covered)


def _cover(item_id: int | None, part: int | None) -> None:
    """Count the item ``item_id`` of partition ``part`` in the send due (under ``_lock``)."""
    global _unconditional
    if item_id is None or part is None:
        _unconditional = True
    else:
        _oldest[part] = min(item_id, _oldest.get(part, item_id))


def _send_due() -> None:
    """The timer thread's send (its look borrows a connection and gives it back to the process's pool)."""
    from django.db import connection

    global _timer, _last_sent
    with _lock:
        _timer, _last_sent = None, time.monotonic()
        covered = _take()
    try:
        _send_unless_taken(*covered)
    finally:
        connection.close()


def _take() -> tuple[dict[int, int], bool]:
    """What the send due covers, reset (under ``_lock``)."""
    global _oldest, _unconditional
    covered = (_oldest, _unconditional)
    _oldest, _unconditional = {}, False
    return covered


def _send_unless_taken(oldest: dict[int, int], unconditional: bool) -> None:
    if unconditional or not oldest:
        _send()
        return
    try:
        taken = _taken_by_due_drains(oldest)
    except Exception:
        log.warning("could not look for drains due; sending one", exc_info=True)
        taken = False
    if not taken:
        _send()


def _taken_by_due_drains(oldest: dict[int, int]) -> bool:
    """Whether, in each partition of ``oldest``, a fresh item older than the one asked for is waiting or a
    drain holds the partition: that drain takes the rest of its partition too (one query)."""
    from spool.federation import inbox

    taken = inbox.taken_by_drains(max(oldest.values()))
    return all(taken.get(part, item_id) < item_id for part, item_id in oldest.items())


def _partition(actor_uri: str) -> int:
    from spool.federation import inbox

    return inbox.partition_of(actor_uri)


def _send() -> None:
    from spool.federation.tasks import drain_inbox

    drain_inbox.delay()
