"""Counter updates held back to the end of a transaction that applies many changes at once.

On PostgreSQL ``UPDATE … SET n = n + 1`` locks the row until the transaction commits. An inbox batch
applies many activities in one transaction, and many of them bump the same few rows (a popular post's
likes, the ``#fediverse`` topic): two workers' batches would queue behind each other for a whole batch,
or deadlock when they bump two rows in opposite orders. Inside :func:`deferring`, :func:`add` only sums
the changes; when the block ends they are applied, one ``UPDATE`` per row, in one fixed order (model,
id, field), right before the caller commits: each row is held for milliseconds, and every transaction
takes them in the same order. :func:`scope` keeps one savepoint's changes apart, dropped when it rolls
back. Outside :func:`deferring`, :func:`add` updates at once.

A counter never goes below zero. Summed changes differ from one-by-one ones only for a counter that was
wrong already (a ``-1`` on a zero, then a ``+1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.db import connection
from django.db.models import Model

Key = tuple[type[Model], int, str]

_pending: ContextVar[list[dict[Key, int]] | None] = ContextVar("deferred_counters", default=None)


def add(model: type[Model], pk: int, field: str, delta: int) -> None:
    """Add ``delta`` to ``model``'s ``field`` of the row ``pk`` (never below zero), now or when the
    :func:`deferring` block ends."""
    stack = _pending.get()
    if stack is None:
        _apply(model, pk, field, delta)
        return
    changes = stack[-1]
    changes[(model, pk, field)] = changes.get((model, pk, field), 0) + delta


def deferred() -> bool:
    """Whether :func:`add` sums its changes now (inside :func:`deferring`) rather than applying them."""
    return _pending.get() is not None


def pending(model: type[Model], field: str) -> set[int]:
    """The rows of ``model`` whose ``field`` has a change summed and not applied yet (none outside
    :func:`deferring`)."""
    stack = _pending.get() or []
    return {pk for changes in stack for (kind, pk, name) in changes if kind is model and name == field}


@contextmanager
def deferring() -> Iterator[None]:
    """Sum the :func:`add` calls made inside and apply them when the block ends without raising (use it
    inside the transaction, so they commit with it)."""
    token = _pending.set([{}])
    try:
        yield
        changes = _pending.get()[0]  # type: ignore[index]
    finally:
        _pending.reset(token)
    for (model, pk, field), delta in sorted(changes.items(), key=lambda c: (c[0][0]._meta.label, c[0][1:])):
        _apply(model, pk, field, delta)


@contextmanager
def scope() -> Iterator[None]:
    """The changes made inside count only when the block ends without raising (around a savepoint)."""
    stack = _pending.get()
    if stack is None:
        yield
        return
    stack.append({})
    try:
        yield
    except BaseException:
        stack.pop()
        raise
    mine = stack.pop()
    outer = stack[-1]
    for key, delta in mine.items():
        outer[key] = outer.get(key, 0) + delta


def _apply(model: type[Model], pk: int, field: str, delta: int) -> None:
    """``update(field=F(field) + delta)`` of the row ``pk`` (``Greatest(…, 0)`` for a negative ``delta``),
    written out: an inbox batch applies one per post it liked, reposted or replied to, and turning the
    queryset into SQL took longer than running it."""
    if delta:
        with connection.cursor() as cursor:
            cursor.execute(_update_sql(model, field, delta > 0, connection.vendor), [delta, pk])


@cache
def _update_sql(model: type[Model], field: str, up: bool, vendor: str) -> str:
    """The statement of :func:`_apply` (the ``delta`` and the primary key its parameters)."""
    quote = connection.ops.quote_name
    column = quote(str(model._meta.get_field(field).column))  # type: ignore[union-attr]
    value = f"{column} + %s"
    if not up:
        value = f"{'GREATEST' if vendor == 'postgresql' else 'MAX'}({value}, 0)"
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    return f"UPDATE {table} SET {column} = {value} WHERE {pk} = %s"  # noqa: S608 - names from the model
