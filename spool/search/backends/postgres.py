"""PostgreSQL full text: a table ``search_post_document(post_id, document tsvector)`` with a GIN index
(created by migration ``search.0001``), queried with ``websearch_to_tsquery``. The ``simple`` configuration
(lower-casing, no stemming, no stop words) matches what the SQLite backend does. Relevance is
``ts_rank_cd``, computed only for the rows returned.

No foreign key to ``posts_post``: Django's test flush truncates the tables it knows, and a constraint it does
not know would stop it. Deleted posts' rows are removed by the indexing task."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from spool.search.backends import newest_first
from spool.search.query import ParsedQuery

_MATCHES = (
    "SELECT post_id, 1.0 FROM search_post_document, websearch_to_tsquery('simple', %s) q WHERE document @@ q"
)
_MATCHES_RANKED = (
    "SELECT post_id, ts_rank_cd(document, q) "
    "FROM search_post_document, websearch_to_tsquery('simple', %s) q WHERE document @@ q"
)


class PostgresBackend:
    name = "postgresql"

    def upsert(self, post_id: int, text: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_post_document (post_id, document) VALUES (%s, to_tsvector('simple', %s)) "
                "ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document",
                [post_id, text],
            )

    def remove(self, post_ids: Sequence[int]) -> None:
        if not post_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_post_document WHERE post_id = ANY(%s)", [list(post_ids)])

    def bulk_insert(self, rows: Iterable[tuple[int, str]]) -> None:
        """COPY the texts into a temporary table, then compute the vectors in one statement."""
        buffer = io.StringIO()
        for post_id, text in rows:
            clean = text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")
            buffer.write(f"{post_id}\t{clean}\n")
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE search_load (post_id bigint, body text)")
            with cursor.cursor.copy("COPY search_load (post_id, body) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(
                "INSERT INTO search_post_document (post_id, document) "
                "SELECT post_id, to_tsvector('simple', body) FROM search_load"
            )
            cursor.execute("DROP TABLE search_load")

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_post_document")

    def newest_matches(
        self, query: ParsedQuery, *, before: int | None, upto: int | None, limit: int, relevance: bool = True
    ) -> list[tuple[int, float]]:
        if query.empty:
            return []
        rows = newest_first(
            _MATCHES_RANKED if relevance else _MATCHES, [query.websearch()], "post_id", before, upto, limit
        )
        return [(post_id, max(float(rank), 1e-6)) for post_id, rank in rows]

    def indexed_ids(self, post_ids: Sequence[int]) -> set[int]:
        if not post_ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT post_id FROM search_post_document WHERE post_id = ANY(%s)", [list(post_ids)]
            )
            return {int(row[0]) for row in cursor.fetchall()}

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
