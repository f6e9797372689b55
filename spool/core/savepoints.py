"""Savepoints a caller has made unnecessary.

A service wraps its writes in ``transaction.atomic()`` so that, called inside someone else's transaction,
a failure rolls back its own writes alone (a savepoint: ``SAVEPOINT`` and ``RELEASE`` statements around
it). The inbox applies a batch of activities in one transaction without a savepoint per item, and when any
item raises it rolls the whole batch back and applies it again with one
(:func:`spool.federation.inbox.process_batch`): on that first pass the services' own savepoints protect
nothing, yet cost two statements per like, repost, post and follow (about a sixth of a like's). Inside
:func:`elided`, :func:`atomic` opens no savepoint when a transaction is open already; a failure inside it
then marks the whole transaction for rollback (``connection.needs_rollback``), which the caller of
:func:`elided` must treat as the failure of its whole transaction, also when the service's caller caught
the exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_elided: ContextVar[bool] = ContextVar("savepoints_elided", default=False)


def atomic() -> transaction.Atomic:
    """``transaction.atomic()``, without a savepoint inside :func:`elided`."""
    return transaction.atomic(savepoint=not _elided.get())


@contextmanager
def elided() -> Iterator[None]:
    """:func:`atomic` blocks inside take no savepoint (see the module docstring for the caller's duty)."""
    token = _elided.set(True)
    try:
        yield
    finally:
        _elided.reset(token)
