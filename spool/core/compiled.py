"""Querysets compiled once per process and run with new parameters: the hot read paths' SQL without the
milliseconds Django spends turning a queryset (the visibility rule alone has some thirty conditions) into
SQL on every request.

``compiled(build)`` calls ``build(**sentinels)`` once with placeholder values (a viewer ID no account has,
a marker for lists of IDs), compiles the queryset it returns, and remembers where each placeholder landed
among the SQL's parameters. ``run(**values)`` then executes the same SQL with the placeholders replaced.
The queryset is still built by the usual vocabulary (``Post.objects.visible_to(viewer)``…), so the rule is
the one every other read uses; only its compilation is cached.

On PostgreSQL the statement is kept in the server's own form (:func:`_native`): the placeholders as
``$1``…, every other parameter written in as Django's client-side binding would send it. It then runs on a
native cursor (:meth:`spool.core.postgres_backend.base.DatabaseWrapper.native_cursor`): psycopg no longer
scans kilobytes of SQL for ``%s`` nor quotes the values on every execution (statements that long are past
its cache of converted queries), and the server prepares it, planning the visibility rule once per
connection rather than on every request.

Lists of IDs go in through :func:`id_list` (an array on PostgreSQL, ``json_each`` on SQLite), so one
compiled statement serves any number of IDs. ``strs`` name string placeholders (an exact match on a
digest, say). ``models(**values)`` returns model instances, with their ``select_related`` relations
filled in, built from the rows as Django's own queryset iteration builds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]


class _Marker:
    """A placeholder for a list of IDs: unique by identity among the compiled parameters."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<ids {self.name}>"


# Placeholder integers: in range for every integer column (Django drops or short-circuits conditions with
# out-of-range values) and unlike any real parameter of these queries (IDs are snowflakes, ~10^17).
_SENTINEL_BASE = 2_147_480_000


def id_list(marker: Any) -> RawSQL:
    """``field__in=id_list(ids)``: a list of IDs as one SQL parameter (a compiled statement's marker, or
    :func:`ids_param` of the IDs in a queryset run as usual); a ``RawSQL`` subquery is taken as it is (the
    IDs read by the statement itself)."""
    if isinstance(marker, RawSQL):
        return marker
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (marker,))
    return RawSQL("SELECT value FROM json_each(%s)", (marker,))


def ids_param(ids: Iterable[int], vendor: str = "") -> Any:
    """The one parameter :func:`id_list` binds for ``ids``: an array on PostgreSQL, JSON text on SQLite
    (``vendor``: the connection's, when the caller has it at hand). Django binds each value of
    ``field__in=[...]`` as its own parameter, which for hundreds of IDs costs more CPU than the query; this
    costs one conversion."""
    if (vendor or connection.vendor) == "postgresql":
        # An array literal ('{1,2,3}', cast by the SQL) rather than a list: psycopg adapts a list element
        # by element in Python, which cost more than the rest of the statement.
        return f"{{{','.join(map(str, ids))}}}"
    return orjson.dumps(ids if isinstance(ids, list) else list(ids)).decode()


def ids_in(ids: Iterable[int]) -> RawSQL:
    """``field__in=ids_in(ids)``: ``ids`` as one SQL parameter, in a queryset run as usual."""
    return id_list(ids_param(ids))


# What a compiled statement keeps: its SQL, where each placeholder sits among the parameters, the
# parameters, the row converter (None when no column needs one), the compiler (for ``models``) and whether
# it runs on a native cursor (``$1`` placeholders).
_Statement = tuple[str, list[tuple[int, str]], tuple[Any, ...], Any, Any, bool]

_FORMAT_TOKENS = re.compile("%%|%s")


def _native(
    connection: BaseDatabaseWrapper, sql: str, params: list[Any], slots: list[tuple[int, str]]
) -> tuple[str, list[tuple[int, str]]]:
    """``sql`` with the placeholders' ``%s`` as ``$1``… and the other parameters written in as literals
    (:meth:`compose_sql`: what client-side binding sends), and the slots renumbered for the placeholders'
    parameters alone. Every occurrence of one placeholder shares its ``$n`` (the visibility rule names the
    viewer some twenty times: one value sent, not twenty)."""
    by_name: dict[str, int] = {}
    for _, name in slots:
        by_name.setdefault(name, len(by_name) + 1)
    numbers = {at: by_name[name] for at, name in slots}
    positions = iter(range(len(params)))

    def token(match: re.Match[str]) -> str:
        if match.group() == "%%":
            return "%"
        at = next(positions)
        if at in numbers:
            return f"${numbers[at]}"
        return str(connection.ops.compose_sql("%s", [params[at]]))  # type: ignore[attr-defined]

    return _FORMAT_TOKENS.sub(token, sql), [(n - 1, name) for name, n in by_name.items()]


def native_sql(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any], at: int) -> str:
    """A statement compiled elsewhere (``sql`` with ``%s`` placeholders and its ``params``) in the server's
    own form for a native cursor, as :class:`Compiled` keeps its own: the parameter at ``at`` as ``$1``,
    every other written in."""
    return _native(connection, sql, list(params), [(at, "")])[0]


class Compiled:
    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        ints: tuple[str, ...],
        lists: tuple[str, ...],
        strs: tuple[str, ...] = (),
    ) -> None:
        self.build = build
        self.ints = ints
        self.lists = lists
        self.strs = strs
        self._sql: dict[str, _Statement] = {}
        self._builders: dict[str, tuple[Any, ...]] = {}  # for ``models``, by vendor

    def _compile(self, connection: BaseDatabaseWrapper, plain: bool = False) -> _Statement:
        """The statement for ``connection``; ``plain``: in Django's form (``%s`` placeholders) even where
        it otherwise runs on a native cursor (for :meth:`subquery`)."""
        key = connection.vendor + (":plain" if plain else "")
        found = self._sql.get(key)
        if found is None:
            ints = {name: _SENTINEL_BASE - n for n, name in enumerate(self.ints)}
            markers = {name: _Marker(name) for name in self.lists}
            # Placeholder strings no real parameter can equal (a NUL byte is refused in PostgreSQL text).
            strs = {name: f"\x00compiled:{name}" for name in self.strs}
            compiler = self.build(**ints, **markers, **strs).query.get_compiler(connection.alias)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([c[0] for c in compiler.select])
            by_int = {v: k for k, v in ints.items()}
            by_marker = {id(m): k for k, m in markers.items()}
            by_str = {v: k for k, v in strs.items()}
            slots: list[tuple[int, str]] = []
            for i, p in enumerate(params):
                if isinstance(p, int) and not isinstance(p, bool) and p in by_int:
                    slots.append((i, by_int[p]))
                elif isinstance(p, str) and p in by_str:
                    slots.append((i, by_str[p]))
                elif id(p) in by_marker:
                    slots.append((i, by_marker[id(p)]))
            missing = (set(ints) | set(markers) | set(strs)) - {name for _, name in slots}
            if missing:
                raise ValueError(f"compiled: placeholders not in the SQL: {sorted(missing)}")
            # Values converted as Django does (booleans, times and JSON on SQLite).
            convert = (lambda rows: list(compiler.apply_converters(rows, converters))) if converters else None
            native = hasattr(connection, "native_cursor") and not plain
            if native:
                sql, slots = _native(connection, sql, list(params), slots)
                params = [None] * len(slots)
            found = self._sql[key] = (sql, slots, tuple(params), convert, compiler, native)
        return found

    def models(self, **values: Any) -> list[Model]:
        """The rows as model instances of the queryset's model, ``select_related`` relations attached and
        annotations set as attributes (as :class:`django.db.models.query.ModelIterable` builds them; no
        deferred fields)."""
        db = connections[DEFAULT_DB_ALIAS]
        rows = self._rows(db, False, values)
        found = self._builders.get(db.vendor)
        if found is None:
            compiler = self._compile(db)[4]
            select, info = compiler.select, compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            related = get_related_populators(info, select, db.alias)  # stateless: kept with the statement
            annotations = tuple(compiler.annotation_col_map.items())
            found = self._builders[db.vendor] = (info["model"], names, start, end, related, annotations)
        model, names, start, end, related, annotations = found
        instances = []
        for row in rows:
            instance = model.from_db(db.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, at in annotations:
                setattr(instance, name, row[at])
            instances.append(instance)
        return instances

    def run(self, *, raw: bool = False, **values: Any) -> list[tuple[Any, ...]]:
        """The rows, converted as Django converts them (``raw``: as the driver returns them — on SQLite,
        booleans as 0/1, times and JSON as text)."""
        return self._rows(connections[DEFAULT_DB_ALIAS], raw, values)

    def subquery(self, **values: Any) -> tuple[str, list[Any]]:
        """The statement's SQL (``%s`` placeholders) and its parameters for ``values``, to be asked inside
        another statement (``EXISTS (…)``) rather than run on its own."""
        sql, slots, template, *_ = self._compile(connections[DEFAULT_DB_ALIAS], plain=True)
        params = list(template)
        for i, name in slots:
            params[i] = ids_param(values[name]) if name in self.lists else values[name]
        return sql, params

    def _rows(self, db: BaseDatabaseWrapper, raw: bool, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        # One look-up of the connection (each ``connection.…`` goes through a context-local).
        sql, slots, template, convert, _, native = self._compile(db)
        params = list(template)
        for i, name in slots:
            value = values[name]
            params[i] = ids_param(value, db.vendor) if name in self.lists else value
        with db.native_cursor() if native else db.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return convert(rows) if convert is not None and not raw else rows


def compiled(
    build: Callable[..., QuerySet[Any]],
    *,
    ints: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
    strs: tuple[str, ...] = (),
) -> Compiled:
    """A :class:`Compiled` statement; ``ints`` name integer placeholders, ``lists`` lists of IDs, ``strs``
    strings."""
    return Compiled(build, ints, lists, strs)


def delete_where(model: type[Model], **equal: Any) -> int:
    """``DELETE FROM`` ``model``'s table the rows whose columns equal ``equal`` (attribute names:
    ``account_id``…), one statement written out; how many rows went. What ``filter(**equal).delete()`` does
    for a model nothing refers to and no delete signal watches (Django's collector then deletes directly
    too), without the milliseconds of building the queryset: likes, follows and notifications undone by
    the inbox. Refuses other models (their deletes need the collector)."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_delete_sql(model, tuple(equal), db.vendor), list(equal.values()))
        return int(cursor.rowcount)


_DELETES: dict[tuple[type[Model], tuple[str, ...], str], str] = {}


def _delete_sql(model: type[Model], names: tuple[str, ...], vendor: str) -> str:
    key = (model, names, vendor)
    found = _DELETES.get(key)
    if found is None:
        from django.db.models import signals

        meta = model._meta
        if meta.related_objects or any(
            signal.has_listeners(model) for signal in (signals.pre_delete, signals.post_delete)
        ):
            raise ValueError(f"delete_where: {model.__name__} needs Django's deletion collector")
        quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
        columns = [str(meta.get_field(name).column) for name in names]  # type: ignore[union-attr]
        where = " AND ".join(f"{quote(column)} = %s" for column in columns)
        found = _DELETES[key] = f"DELETE FROM {quote(meta.db_table)} WHERE {where}"  # noqa: S608 - names from the model, values are parameters
    return found
