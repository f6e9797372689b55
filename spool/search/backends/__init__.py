"""The search index behind one interface, two backends chosen by the database vendor: SQLite FTS5 (embedded)
and PostgreSQL full text (scale-out). The same tests run on both.

The index holds a post's searchable words and nothing else: who may see a post is decided when searching,
by ``Post.objects.visible_to`` on the candidates the index returns, so privacy, blocks, deactivation, ghost
posts and hidden replies take effect at once without reindexing. Rows of deleted posts are removed by the
indexing task; a row left behind finds no post and is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from spool.search.query import ParsedQuery


class SearchBackend(Protocol):
    name: str

    def upsert(self, post_id: int, text: str) -> None:
        """Index ``text`` for ``post_id``, replacing what was indexed for it before."""

    def upsert_many(self, rows: Sequence[tuple[int, str]]) -> None:
        """:meth:`upsert` for each of ``rows`` (post ID, text; each post once), in one statement or batch."""

    def remove(self, post_ids: Sequence[int]) -> None:
        """Forget these posts (absent ones are ignored)."""

    def bulk_insert(self, rows: Iterable[tuple[int, str]]) -> None:
        """Index many new posts at once (rebuilds, benchmarks); ``rows`` must not be indexed yet."""

    def clear(self) -> None:
        """Empty the index."""

    def newest_matches(
        self, query: ParsedQuery, *, before: int | None, upto: int | None, limit: int, relevance: bool = True
    ) -> list[tuple[int, float]]:
        """At most ``limit`` posts matching ``query`` with ID below ``before`` and at most ``upto`` (each
        optional), newest first, with their text relevance (positive; larger is better). With
        ``relevance=False`` (Recent, which orders by ID alone) every relevance is 1.0 and none is computed."""

    def indexed_ids(self, post_ids: Sequence[int]) -> set[int]:
        """Which of ``post_ids`` are in the index."""

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        """A subquery yielding ``ids``, for ``id__in``: one parameter however many IDs (Django spends
        milliseconds preparing a thousand separate ones)."""

    def among_candidates(self, rows: QuerySet[Any]) -> tuple[str, tuple[Any, ...], int]:
        """``rows`` (a ``values_list`` of posts, unordered) limited to a list of candidate post IDs, newest
        first, compiled: (SQL, parameters, index of the parameter to bind the IDs to with
        :func:`spool.core.compiled.ids_param`)."""


def newest_first(
    select: str, params: list[str | int], column: str, before: int | None, upto: int | None, limit: int
) -> list[tuple[int, Any]]:
    """Run ``select`` (ending in a WHERE clause) limited to ``column`` below ``before`` and at most ``upto``,
    newest first, at most ``limit`` rows of (ID, value: a score or a text)."""
    sql, params = select, list(params)
    if before is not None:
        sql += f" AND {column} < %s"
        params.append(before)
    if upto is not None:
        sql += f" AND {column} <= %s"
        params.append(upto)
    sql += f" ORDER BY {column} DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(row_id), value) for row_id, value in cursor.fetchall()]


def get_backend() -> SearchBackend:
    """The backend for the default database."""
    if connection.vendor == "postgresql":
        from spool.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from spool.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


# Stands for the candidate IDs among a compiled query's parameters (no real parameter holds a NUL).
CANDIDATES = "\x00candidates"


def compiled_among(rows: QuerySet[Any]) -> tuple[str, tuple[Any, ...], int]:
    """``rows`` compiled, with the index of the :data:`CANDIDATES` parameter."""
    sql, params = rows.query.sql_with_params()
    return sql, tuple(params), list(params).index(CANDIDATES)
