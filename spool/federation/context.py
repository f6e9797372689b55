"""Whether the code running now applies an activity that came from another server.

Services publish the same events whoever called them; federation must not echo a remote server's own
action back to it (a remote ``Undo(Follow)`` makes ``unfollow_account`` publish ``Unfollowed``, which must
not become a ``Reject``). The inbox processor sets this flag; event handlers read it while the service's
transaction is still open (they subscribe in-transaction for that reason)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_applying_remote: ContextVar[bool] = ContextVar("applying_remote", default=False)
_activity: ContextVar[dict[str, Any] | None] = ContextVar("applied_activity", default=None)


def applying_remote() -> bool:
    return _applying_remote.get()


@contextmanager
def remote_activity() -> Iterator[None]:
    token = _applying_remote.set(True)
    try:
        yield
    finally:
        _applying_remote.reset(token)


@contextmanager
def local_activity() -> Iterator[None]:
    """Inside an inbound handler: what follows is our people's own action and federates as such (a
    ``Move`` makes their follows of the old account follows of the new one)."""
    token = _applying_remote.set(False)
    try:
        yield
    finally:
        _applying_remote.reset(token)


def applied_activity() -> dict[str, Any] | None:
    """The remote activity an inbound handler is applying now (set by :func:`applying`), if any."""
    return _activity.get()


@contextmanager
def applying(activity: dict[str, Any]) -> Iterator[None]:
    """Inside an inbound handler: the services called inside apply ``activity`` (event handlers that answer
    it, the ``Accept`` of a ``Follow``, take it as received rather than reading it back from the inbox)."""
    token = _activity.set(activity)
    try:
        yield
    finally:
        _activity.reset(token)
