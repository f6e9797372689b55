"""Asking the worker to drain the inbox, at most once per ``WINDOW`` per process.

Every stored inbox item used to send a task of its own; now the request after each commit is coalesced:
the first one in a quiet moment sends a ``drain_inbox`` task at once, the ones that follow within
``WINDOW`` send one more task when the window ends (a timer thread). Nothing is missed: a drain sent
after an item was committed sees that item, and every request is followed by a send. If the process dies
with a send still due, the item is still stored, and ``retry_deliveries`` (every minute) picks up
pending items that nobody drained.

When tasks run eagerly (tests, setup scripts), the drain runs at once, in the caller.
"""

from __future__ import annotations

import threading
import time

WINDOW = 0.05  # seconds

_lock = threading.Lock()
_timer: threading.Timer | None = None
_last_sent = 0.0


def request_drain() -> None:
    """Make sure a drain task starts after this moment (see the module docstring)."""
    global _timer, _last_sent
    from spool.celery import app

    if app.conf.task_always_eager:
        _send()
        return
    with _lock:
        if _timer is not None:
            return  # a send is due after this moment already
        wait = _last_sent + WINDOW - time.monotonic()
        if wait > 0:
            _timer = threading.Timer(wait, _send_due)
            _timer.daemon = True
            _timer.start()
            return
        _last_sent = time.monotonic()
    _send()


def _send_due() -> None:
    global _timer, _last_sent
    with _lock:
        _timer, _last_sent = None, time.monotonic()
    _send()


def _send() -> None:
    from spool.federation.tasks import drain_inbox

    drain_inbox.delay()
