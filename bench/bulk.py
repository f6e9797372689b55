"""Bulk loading rows straight into a model's table, for building benchmark datasets fast.

:func:`load` writes rows with ``COPY … FROM STDIN`` on PostgreSQL (foreign-key triggers off for the session
while it runs) and one ``executemany`` on SQLite. Only the named columns are given; every other concrete
column gets its field's default, so the loader keeps working when other apps add columns with defaults.
Set-up only: no signal, no service, no per-row Python beyond building the tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

COPY_BATCH = 50_000


def _default(field: models.Field[Any, Any]) -> Any:
    if field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        from django.utils import timezone

        value = timezone.now()
    else:
        raise ValueError(f"bench.bulk: {field.model.__name__}.{field.name} has no default; name it")
    return _db_value(field, value)


def _db_value(field: models.Field[Any, Any], value: Any) -> Any:
    """``value`` as the database driver takes it (JSON as text, times as the backend stores them)."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        import json

        return json.dumps(value)
    if isinstance(value, datetime) and connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, bool) and connection.vendor == "sqlite":
        return int(value)
    return value


def when(moment: datetime) -> Any:
    """A timestamp as :func:`load` passes it to the current backend."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(moment)
    return moment


def load(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples of values for ``columns``, already in database form: use :func:`when` for
    timestamps) into ``model``'s table; the other columns get their defaults. Returns the row count."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"bench.bulk: {model.__name__} has no columns {sorted(unknown)}")
    rest = [c for c in fields if c not in columns]
    defaults = tuple(_default(fields[c]) for c in rest)
    names = [*columns, *rest]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
            try:
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((*row, *defaults))
                        count += 1
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        return count
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((*row, *defaults))
            if len(batch) >= COPY_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
