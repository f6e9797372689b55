"""Counter updates held back to the end of a transaction that applies many changes at once.

On PostgreSQL ``UPDATE … SET n = n + 1`` locks the row until the transaction commits. An inbox batch
applies many activities in one transaction, and many of them bump the same few rows (a popular post's
likes, the ``#fediverse`` topic): two workers' batches would queue behind each other for a whole batch,
or deadlock when they bump two rows in opposite orders. Inside :func:`deferring`, :func:`add` only sums
the changes; when the block ends they are applied right before the caller commits, in one fixed order
(model, id, field): each row is held for milliseconds, and every transaction takes them in the same order.
On PostgreSQL the rows of one model go in one statement (:func:`_apply_rows`), which locks them in id
order first: an inbox batch bumps a hundred posts' and authors' counters, and one ``UPDATE`` per row was
a sixth of a ``Create``'s statements. :func:`scope` keeps one savepoint's changes apart, dropped when it rolls
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

from spool.core.compiled import ids_param

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
    rows: dict[type[Model], dict[int, dict[str, int]]] = {}
    for (model, pk, field), delta in changes.items():
        if delta:
            rows.setdefault(model, {}).setdefault(pk, {})[field] = delta
    for model in sorted(rows, key=lambda m: m._meta.label):
        _apply_rows(model, rows[model])


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


def _apply_rows(model: type[Model], rows: dict[int, dict[str, int]]) -> None:
    """Apply the changes ``rows`` (id → field → a nonzero delta) to ``model``'s rows in id order. On
    PostgreSQL (Spool's backend, which has native cursors), several rows in one statement
    (:func:`_update_rows_sql`); otherwise (and for one row) one :func:`_apply` per row and field, as
    :func:`add` does outside :func:`deferring`."""
    if len(rows) < 2 or not hasattr(connection, "native_cursor"):
        for pk in sorted(rows):
            for field in sorted(rows[pk]):
                _apply(model, pk, field, rows[pk][field])
        return
    fields = tuple(sorted({field for deltas in rows.values() for field in deltas}))
    ids = sorted(rows)
    params = [ids_param(ids, "postgresql")]
    params += [ids_param([rows[pk].get(field, 0) for pk in ids], "postgresql") for field in fields]
    with connection.native_cursor() as cursor:
        cursor.execute(_update_rows_sql(model, fields), params)


@cache
def _update_rows_sql(model: type[Model], fields: tuple[str, ...]) -> str:
    """PostgreSQL: add the deltas ``$2``… (arrays, one per field of ``fields``, aligned with the ids
    ``$1``) to the rows ``$1``; a counter that goes down stops at zero, as :func:`_apply`'s does. The rows
    are locked first in id order (``ORDER BY … FOR UPDATE`` locks each row as the sort hands it on), so
    that this statement and another transaction's never take two rows in opposite orders, whichever plan
    the update gets."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    columns = [quote(str(model._meta.get_field(field).column)) for field in fields]  # type: ignore[union-attr]
    deltas = [f"d{n}" for n in range(len(fields))]
    arrays = ", ".join(f"${n + 1}::bigint[]" for n in range(len(fields) + 1))
    sets = ", ".join(
        f"{column} = CASE WHEN d.{delta} < 0 THEN GREATEST({table}.{column} + d.{delta}, 0)"
        f" ELSE {table}.{column} + d.{delta} END"
        for column, delta in zip(columns, deltas, strict=True)
    )
    return (
        f"WITH d AS (SELECT * FROM unnest({arrays}) AS d(id, {', '.join(deltas)})),"  # noqa: S608 - our names
        f" l AS (SELECT {pk} FROM {table} WHERE {pk} IN (SELECT id FROM d) ORDER BY {pk} FOR UPDATE)"
        f" UPDATE {table} SET {sets} FROM d JOIN l ON l.{pk} = d.id WHERE {table}.{pk} = d.id"
    )


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
