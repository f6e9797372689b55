"""SQLite FTS5: a virtual table ``search_post_fts`` (created by migration ``search.0001``) whose rowid is
the post's ID. FTS5 keeps each word's posts ordered by rowid, so "the newest matches below a cursor" is
read straight off the index, whatever the number of matches. Relevance is FTS5's ``bm25``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from spool.search.query import ParsedQuery

TABLE = "search_post_fts"


class SqliteBackend:
    name = "sqlite-fts5"

    def upsert(self, post_id: int, text: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [post_id])
            cursor.execute(f"INSERT INTO {TABLE} (rowid, body) VALUES (%s, %s)", [post_id, text])

    def remove(self, post_ids: Sequence[int]) -> None:
        if not post_ids:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [[i] for i in post_ids])

    def bulk_insert(self, rows: Iterable[tuple[int, str]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {TABLE} (rowid, body) VALUES (%s, %s)", list(rows))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def newest_matches(
        self, query: ParsedQuery, *, before: int | None, upto: int | None, limit: int
    ) -> list[tuple[int, float]]:
        if query.empty:
            return []
        sql = f"SELECT rowid, bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH %s"
        params: list[object] = [query.fts5()]
        if before is not None:
            sql += " AND rowid < %s"
            params.append(before)
        if upto is not None:
            sql += " AND rowid <= %s"
            params.append(upto)
        sql += " ORDER BY rowid DESC LIMIT %s"
        params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # bm25 is negative, more negative for better matches.
            return [(int(post_id), max(-float(score), 1e-6)) for post_id, score in cursor.fetchall()]

    def indexed_ids(self, post_ids: Sequence[int]) -> set[int]:
        if not post_ids:
            return set()
        marks = ", ".join(["%s"] * len(post_ids))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {TABLE} WHERE rowid IN ({marks})", list(post_ids))
            return {int(row[0]) for row in cursor.fetchall()}
