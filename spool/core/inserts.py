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

from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, CharField, DateField, Field, IntegerField, Model, TextField


def insert(obj: Model, *, ignore_conflicts: bool = False) -> bool:
    """Insert ``obj`` (a new instance, primary key set); whether a row was inserted (always, unless
    ``ignore_conflicts`` and it conflicted). Raises ``IntegrityError`` on a conflict otherwise."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the ``connection`` proxy looks it up again
    values = []
    for field, kind in _fields(type(obj)):
        value = getattr(obj, field.attname)
        if type(value) is kind or (value is None and isinstance(kind, type)):
            values.append(value)  # what Django's conversion would return: the value itself
            continue
        if kind is not _KEPT or value is None:
            value = field.pre_save(obj, True)  # as ``save()`` runs it on an insert (``auto_now_add``…)
        values.append(field.get_db_prep_save(value, db))
    with db.cursor() as cursor:
        cursor.execute(_sql(type(obj), db.vendor, ignore_conflicts), values)
        inserted = cursor.fetchone() is not None if ignore_conflicts else True
    if inserted:
        obj._state.adding = False
        obj._state.db = db.alias
    return inserted


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
