"""PostgreSQL full text: a table ``search_post_document(post_id, document tsvector)`` with a GIN index
(created by migration ``search.0001``), queried with ``websearch_to_tsquery``. The ``simple`` configuration
(lower-casing, no stemming, no stop words) matches what the SQLite backend does. Relevance is
``ts_rank_cd``, computed only for the rows returned.

"The newest matches" has two plans, and the planner picks badly between them (it assumes matches are spread
evenly and that checking a document costs next to nothing): walking the primary key newest first and
checking each document costs ``limit / selectivity`` rows — cheap for a common word, 100,000 rows for a rare
one — while collecting every match from the GIN index and sorting costs about eight times as much per match
(a heap fetch each) — cheap for a rare word, 200,000 fetches for a common one. :func:`_walk_is_cheaper`
chooses from the planner's own estimates of the matches and of each word's posting list (one ``EXPLAIN``, a
fraction of a millisecond to a few, kept for a while and shared through the cache). The walk is left to the
planner, which leans towards it; the GIN plan is written so that the planner cannot turn it back into the
walk (it sorts on ``post_id + 0``).

No foreign key to ``posts_post``: Django's test flush truncates the tables it knows, and a constraint it does
not know would stop it. Deleted posts' rows are removed by the indexing task."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from spool.search.backends import CANDIDATES
from spool.search.query import ParsedQuery

_COUNTED = "SELECT 1 FROM search_post_document WHERE document @@ websearch_to_tsquery('simple', %s)"
# What the GIN plan costs, in rows of the primary-key walk: per match (a heap fetch), and per entry of each
# word's posting list (the index checks the whole query for every document holding any of its words).
BITMAP_ROW_COST = 8
POSTING_COST = 0.3
# A phrase's matches are fewer than the planner estimates (it counts documents holding all the words).
PHRASE_RARITY = 10
# Estimates kept per process (a search's later pages and rounds ask again) and in the cache (shared by the
# processes), for at most this long.
ESTIMATE_CACHE_SIZE = 1024
ESTIMATE_SECONDS = 600


def _bounds(before: int | None, upto: int | None) -> tuple[str, list[int]]:
    sql, params = "", []
    if before is not None:
        sql += " AND post_id < %s"
        params.append(before)
    if upto is not None:
        sql += " AND post_id <= %s"
        params.append(upto)
    return sql, params


def _select(relevance: bool) -> str:
    return "SELECT post_id, " + ("ts_rank_cd(document, q)" if relevance else "1.0")


def _fetch(sql: str, params: list[Any]) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@lru_cache(maxsize=ESTIMATE_CACHE_SIZE)
def _estimate(text: str, words: tuple[str, ...], period: int) -> tuple[float, float, float]:
    """The planner's estimates of the documents matching ``text``, of all documents, and of the documents
    holding each of ``words``, added up; kept per process, and in the cache for the other processes, for the
    rest of ``period`` (a stale figure can only choose the slower plan, never change the results)."""
    key = _estimate_key(text, words, period)
    found = cache.get(key)
    if found is None:
        found = _explained(text, words)
        cache.set(key, found, ESTIMATE_SECONDS)
    matches, total, postings = found
    return float(matches), float(total), float(postings)


def _estimate_key(text: str, words: tuple[str, ...], period: int) -> str:
    return (
        "search:estimate:" + hashlib.sha256(f"{period}\x00{text}\x00{' '.join(words)}".encode()).hexdigest()
    )


def _explained(text: str, words: tuple[str, ...]) -> tuple[float, float, float]:
    """:func:`_estimate` from the planner (one ``EXPLAIN``, a fraction of a millisecond to a few)."""
    sql = " UNION ALL ".join([_COUNTED] * (1 + len(words)) + ["SELECT 1 FROM search_post_document"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, [text, *words])
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    matches, *postings, total = (max(float(p["Plan Rows"]), 1.0) for p in plan["Plan"]["Plans"])
    return matches, total, sum(postings)


def _period() -> int:
    """The current period of ``ESTIMATE_SECONDS`` (wall-clock, so that every process agrees)."""
    return int(time.time() // ESTIMATE_SECONDS)


def _walk_is_cheaper(query: ParsedQuery, text: str, limit: int) -> bool:
    """Whether walking the newest rows for ``limit`` matches of ``query`` is estimated cheaper than
    collecting the matches from the GIN index."""
    words = tuple(sorted({word for group in query.groups for term in group for word in term}))
    matches, total, postings = _estimate(text, words, _period())
    phrase = any(len(term) > 1 for group in query.groups for term in group)
    share = min(matches / total / (PHRASE_RARITY if phrase else 1), 1.0)
    return limit / share <= BITMAP_ROW_COST * matches + POSTING_COST * postings


def walked(
    text: str, before: int | None, upto: int | None, limit: int, relevance: bool
) -> list[tuple[int, float]]:
    """The newest ``limit`` matches in the window, as the planner runs "newest first": the walk, whenever
    the walk is the cheaper plan (the planner leans towards it; a subquery that bounded the walk cost twice
    as much per row)."""
    bounds, params = _bounds(before, upto)
    # Only constant SQL is formatted in (``_bounds``, ``_select``); every value is a parameter.
    return _fetch(
        f"{_select(relevance)} FROM search_post_document, websearch_to_tsquery('simple', %s) q "
        f"WHERE document @@ q{bounds} ORDER BY post_id DESC LIMIT %s",
        [text, *params, limit],
    )


def collected(
    text: str, before: int | None, upto: int | None, limit: int, relevance: bool
) -> list[tuple[int, float]]:
    """The GIN plan: every match in the window from the index, the newest ``limit`` kept (sorted on
    ``post_id + 0``, not the key's order, which would turn this back into the walk), relevance computed for
    those only."""
    bounds, params = _bounds(before, upto)
    # Only constant SQL is formatted in (``_bounds``, ``_select``); every value is a parameter.
    return _fetch(
        f"{_select(relevance)} FROM websearch_to_tsquery('simple', %s) q, LATERAL "  # noqa: S608
        f"(SELECT post_id, document FROM search_post_document WHERE document @@ q{bounds} "
        "ORDER BY post_id + 0 DESC LIMIT %s) found ORDER BY post_id DESC",
        [text, *params, limit],
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

    def upsert_many(self, rows: Sequence[tuple[int, str]]) -> None:
        if not rows:
            return
        values = ", ".join(["(%s, to_tsvector('simple', %s))"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO search_post_document (post_id, document) VALUES {values} "  # noqa: S608 (placeholders only)
                "ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document",
                [value for row in rows for value in row],
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
        text = query.websearch()
        plan = walked if _walk_is_cheaper(query, text, limit) else collected
        rows = plan(text, before, upto, limit, relevance)
        return [(int(post_id), max(float(rank), 1e-6)) for post_id, rank in rows]

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

    def among_candidates(self, rows: QuerySet[Any]) -> tuple[str, tuple[Any, ...], int]:
        """The rule run once per candidate (a lateral subquery the planner may not flatten, ``OFFSET 0``):
        joined to the candidates as a whole, the planner reads every account into a hash table — tens of
        milliseconds at a few thousand accounts, and growing with them — where looking up each candidate's
        author by key costs microseconds."""
        inner, params = rows.filter(id=RawSQL("candidate.id", ())).query.sql_with_params()
        sql = (
            "SELECT e.* FROM unnest(%s::bigint[]) AS candidate(id) "  # noqa: S608 (compiled by Django)
            f"CROSS JOIN LATERAL ({inner} OFFSET 0) e ORDER BY e.id DESC"
        )
        return sql, (CANDIDATES, *params), 0
