"""SQLite FTS5: a virtual table ``search_post_fts`` (created by migration ``search.0001``) whose rowid is
the post's ID. FTS5 keeps each word's posts ordered by rowid, so "the newest matches below a cursor" is
read straight off the index, whatever the number of matches. Relevance is FTS5's ``bm25``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from spool.search.backends import newest_first
from spool.search.query import ParsedQuery


class SqliteBackend:
    name = "sqlite-fts5"

    def upsert(self, post_id: int, text: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_post_fts WHERE rowid = %s", [post_id])
            cursor.execute("INSERT INTO search_post_fts (rowid, body) VALUES (%s, %s)", [post_id, text])

    def remove(self, post_ids: Sequence[int]) -> None:
        if not post_ids:
            return
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_post_fts WHERE rowid = %s", [[i] for i in post_ids])

    def bulk_insert(self, rows: Iterable[tuple[int, str]]) -> None:
        # One transaction: in autocommit each row would be its own (and its own sync to disk).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("INSERT INTO search_post_fts (rowid, body) VALUES (%s, %s)", list(rows))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_post_fts")

    def newest_matches(
        self, query: ParsedQuery, *, before: int | None, upto: int | None, limit: int
    ) -> list[tuple[int, float]]:
        if query.empty:
            return []
        rows = newest_first(
            "SELECT rowid, bm25(search_post_fts) FROM search_post_fts WHERE search_post_fts MATCH %s",
            [query.fts5()], "rowid", before, upto, limit,
        )  # fmt: skip
        # bm25 is negative, more negative for better matches.
        return [(post_id, max(-score, 1e-6)) for post_id, score in rows]

    def indexed_ids(self, post_ids: Sequence[int]) -> set[int]:
        if not post_ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_post_fts WHERE rowid IN (SELECT value FROM json_each(%s))",
                [json.dumps(list(post_ids))],
            )
            return {int(row[0]) for row in cursor.fetchall()}

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(ids)),))
