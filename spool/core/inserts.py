"""``INSERT`` of one new model instance, its SQL written once per process: the rows the inbox writes for
every activity (posts, likes, reposts, notifications) without the work Django's ``objects.create`` does
to turn the instance into SQL each time (a third of a received post's CPU went into building its
inserts).

:func:`insert` writes the instance's own values, as ``save()`` would: each field's ``pre_save`` (an
``auto_now_add`` time set now), then its conversion for the database. Two differences, both asked for:
an ``auto_now_add`` field set on the instance beforehand keeps its value (a received post's time of
writing, stored in the same statement rather than by an ``UPDATE`` after it), and ``ignore_conflicts``
makes a row that would break a unique constraint a no-op (``ON CONFLICT DO NOTHING``) instead of an
``IntegrityError`` (no savepoint needed around it). For models whose primary key is set before the
insert (snowflake IDs, one-to-one keys), and without model signals: ``pre_save``/``post_save`` are not
sent.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, CharField, DateField, Field, IntegerField, Model, TextField


def insert(obj: Model, *, ignore_conflicts: bool = False) -> bool:
    """Insert ``obj`` (a new instance, primary key set); whether a row was inserted (always, unless
    ``ignore_conflicts`` and it conflicted). Raises ``IntegrityError`` on a conflict otherwise."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the ``connection`` proxy looks it up again
    values = _values(obj, db)
    sql = _sql(type(obj), db.vendor, ignore_conflicts)
    # PostgreSQL: bound server-side and prepared after a few runs, as :func:`insert_unless` is (Django's
    # cursor wrote a received post's text into the SQL, quoted in Python, and the server parsed and planned
    # that text anew for every post, like and repost).
    native = hasattr(db, "native_cursor")
    with db.native_cursor() if native else db.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(numbered(sql) if native else sql, values)
        inserted = cursor.fetchone() is not None if ignore_conflicts else True
    if inserted:
        obj._state.adding = False
        obj._state.db = db.alias
    return inserted


def insert_unless(obj: Model, *found: tuple[str, Sequence[Any]]) -> bool:
    """Insert ``obj`` as :func:`insert` does, unless one of the queries ``found`` (each its SQL and
    parameters) finds a row; whether a row was inserted. One statement, ``INSERT … SELECT … WHERE NOT
    EXISTS (…) AND …``: the checks that decide a row (a notification's rules, whether it exists already)
    cost no round trip of their own. Races are the caller's, as when it checks first."""
    db = connections[DEFAULT_DB_ALIAS]
    params = _values(obj, db)
    conditions = []
    for sql, more in found:
        conditions.append(f"NOT EXISTS ({sql})")
        params.extend(more)
    sql = f"{_select_sql(type(obj), db.vendor)} WHERE {' AND '.join(conditions)} RETURNING 1"
    if hasattr(db, "native_cursor"):
        # PostgreSQL: bound server-side and, run again and again with new values, prepared there (the
        # checks' subqueries planned once per connection, not on every notification).
        with db.native_cursor() as cursor:
            cursor.execute(numbered(sql), params)
            inserted = cursor.fetchone() is not None
    else:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            inserted = cursor.fetchone() is not None
    if inserted:
        obj._state.adding = False
        obj._state.db = db.alias
    return inserted


@lru_cache(maxsize=64)
def numbered(sql: str) -> str:
    """``sql`` (Django's ``%s`` placeholders) with PostgreSQL's own, ``$1``… in order, for a native cursor."""
    numbers = itertools.count(1)
    return _PLACEHOLDERS.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


_PLACEHOLDERS = re.compile("%%|%s")


def _values(obj: Model, db: BaseDatabaseWrapper) -> list[Any]:
    """``obj``'s values for the columns of :func:`_fields`, converted for ``db``."""
    values = []
    for field, kind in _fields(type(obj)):
        value = getattr(obj, field.attname)
        if type(value) is kind or (value is None and isinstance(kind, type)):
            values.append(value)  # what Django's conversion would return: the value itself
            continue
        if kind is not _KEPT or value is None:
            value = field.pre_save(obj, True)  # as ``save()`` runs it on an insert (``auto_now_add``…)
        values.append(field.get_db_prep_save(value, db))
    return values


_KEPT, _CONVERTED = object(), object()
# Django's own fields whose conversion gives back a value of this exact type as it is (a subclass, an enum
# member say, is converted as usual).
_AS_IS: tuple[tuple[type[Field[Any, Any]], type], ...] = (
    (BooleanField, bool),
    (IntegerField, int),
    (CharField, str),
    (TextField, str),
)


@cache
def _fields(model: type[Model]) -> tuple[tuple[Field[Any, Any], Any], ...]:
    """The columns an insert writes, each with how its value is taken: a type (integers, strings, booleans
    and keys to integers: the value as it is when of that type, or ``None``; their conversion was most of
    an insert's CPU), ``_KEPT`` (``auto_now_add`` dates: a value set on the instance wins over
    ``pre_save``) or ``_CONVERTED`` (``pre_save``, then the field's conversion for the database)."""
    found = []
    for field in model._meta.concrete_fields:
        target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
        kind = _CONVERTED
        if isinstance(field, DateField) and field.auto_now_add:
            kind = _KEPT
        elif type(target).__module__.startswith("django.db.models."):  # Django's own: ours may convert
            kind = next((plain for base, plain in _AS_IS if isinstance(target, base)), _CONVERTED)
        found.append((field, kind))
    return tuple(found)


@cache
def _sql(model: type[Model], vendor: str, ignore_conflicts: bool) -> str:
    """The ``INSERT`` of :func:`insert` for ``model`` on the connection's database ``vendor``."""
    quote = connection.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(field.column) for field, _ in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return f"{sql} ON CONFLICT DO NOTHING RETURNING 1" if ignore_conflicts else sql


@cache
def _select_sql(model: type[Model], vendor: str) -> str:
    """``INSERT INTO … SELECT`` the values of :func:`insert_unless`, without its ``WHERE``. PostgreSQL
    is told each value's type: a parameter in a ``SELECT`` list is not given its column's type, as in
    ``VALUES`` (a ``NULL`` would be text)."""
    quote = connection.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(field.column) for field, _ in fields)
    if vendor == "postgresql":
        values = ", ".join(f"%s::{field.db_type(connection)}" for field, _ in fields)
    else:
        values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values}"
