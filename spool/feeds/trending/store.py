"""Activity counted in hourly buckets, behind one small interface with two stores. Two kinds are counted the
same way: topics (keyed by topic ID, :func:`activity_store`) and keywords in post text (keyed by the term,
:func:`keyword_store`, see :mod:`spool.feeds.trending.keywords`).

- :class:`SqlActivityStore` (embedded default): a ``TopicHour`` row per (hour, topic) with its uses and
  distinct authors, plus a ``TopicHourAuthor`` row per (hour, topic, author) that keeps the author count exact
  and answers "how many distinct people in the window".
- :class:`RedisActivityStore` (chosen when ``REDIS_URL`` is set): one hash per hour (``u:<topic>`` uses,
  ``a:<topic>`` distinct authors that hour) and one HyperLogLog of authors per (hour, topic); keys expire
  after the baseline period, so nothing needs pruning. One Lua call records a use.

Keywords: ``KeywordHour``/``KeywordHourAuthor`` rows (two ``INSERT … ON CONFLICT`` statements per post for
all its terms), or the same Redis layout under ``<prefix>:kw`` (one pipeline per post).

:func:`count_posts_once` counts an inbox batch's posts together: with Redis one script per post, all sent
at once (:meth:`spool.core.redis.FastScript.many`); with the SQL stores one transaction and a few
``INSERT … ON CONFLICT`` statements for all of them (:meth:`_SqlStore.record_uses`).

Hours are UNIX hours (``int(timestamp // 3600)``). The same tests run against both stores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F

from spool.core.backends import Swappable
from spool.feeds.trending.models import (
    CountedPost,
    KeywordHour,
    KeywordHourAuthor,
    TopicHour,
    TopicHourAuthor,
)

# Buckets are kept for the baseline period plus a day of slack.
RETENTION_HOURS = 8 * 24


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


class HourCount(NamedTuple):
    uses: int
    authors: int


# What is counted: a topic ID, or a keyword's text.
K = TypeVar("K", int, str)
# key -> hour -> count
Activity = dict[K, dict[int, HourCount]]


class ActivityStore(Protocol[K]):
    name: str

    def record(self, topic_id: K, author_id: int, hour: int) -> None:
        """Count one use of ``topic_id`` by ``author_id`` in ``hour``."""

    def record_many(self, keys: Iterable[K], author_id: int, hour: int) -> None:
        """Count one use of each of ``keys`` (distinct) by ``author_id`` in ``hour``."""

    def hourly(self, first: int, last: int, topic_ids: Iterable[K] | None = None) -> Activity[K]:
        """Counts for hours ``first..last`` (inclusive) of ``topic_ids`` (every key active then when
        ``None``). Hours without activity are left out."""

    def distinct_authors(self, topic_ids: Iterable[K], first: int, last: int) -> dict[K, int]:
        """Distinct people who used each key in hours ``first..last`` (approximate in Redis: HLL)."""

    def prune(self, before: int) -> None:
        """Forget hours before ``before``."""


class _SqlStore(Generic[K]):
    """The reads and pruning both SQL stores share; ``key`` names the counted column."""

    name = "sql"
    hour_model: type[models.Model]
    author_model: type[models.Model]
    key: str

    def hourly(self, first: int, last: int, topic_ids: Iterable[K] | None = None) -> Activity[K]:
        rows = self.hour_model._default_manager.filter(hour__gte=first, hour__lte=last)
        if topic_ids is not None:
            rows = rows.filter(**{f"{self.key}__in": list(topic_ids)})
        found: Activity[K] = defaultdict(dict)
        for key, hour, uses, authors in rows.values_list(self.key, "hour", "uses", "authors"):
            found[key][hour] = HourCount(uses, authors)
        return dict(found)

    def distinct_authors(self, topic_ids: Iterable[K], first: int, last: int) -> dict[K, int]:
        rows = (
            self.author_model._default_manager.filter(
                **{f"{self.key}__in": list(topic_ids)}, hour__gte=first, hour__lte=last
            )
            .values(self.key)
            .annotate(n=Count("author_id", distinct=True))
            .order_by()
        )
        return {row[self.key]: row["n"] for row in rows}

    def prune(self, before: int) -> None:
        self.author_model._default_manager.filter(hour__lt=before).delete()
        self.hour_model._default_manager.filter(hour__lt=before).delete()

    def record_uses(self, uses: Iterable[tuple[K, int, int]]) -> None:
        """Count each of ``uses`` — (key, author ID, hour), one use each — as :meth:`record` would one after
        the other, in a few statements for all of them (an inbox batch's posts): insert the (hour, key,
        author) rows that are new, returning which were, then add every (hour, key)'s uses and new authors
        (``INSERT … ON CONFLICT``, exact under concurrent writers). Rows go in sorted, so two writers take
        their locks in one order. Call it inside a transaction."""
        uses = list(uses)
        if not uses:
            return
        authors_table = connection.ops.quote_name(self.author_model._meta.db_table)
        hours_table = connection.ops.quote_name(self.hour_model._meta.db_table)
        key = connection.ops.quote_name(self.key)
        new: set[tuple[Any, int, int]] = set()
        distinct = sorted({(hour, k, author) for k, author, hour in uses})
        with connection.cursor() as cursor:
            for rows in _chunks(distinct):
                cursor.execute(
                    f"INSERT INTO {authors_table} (hour, {key}, author_id) VALUES "  # noqa: S608
                    + ", ".join(["(%s, %s, %s)"] * len(rows))
                    + f" ON CONFLICT (hour, {key}, author_id) DO NOTHING RETURNING hour, {key}, author_id",
                    [value for row in rows for value in row],
                )
                new.update(tuple(row) for row in cursor.fetchall())
            counts: dict[tuple[int, Any], list[int]] = defaultdict(lambda: [0, 0])
            for used, _, in_hour in uses:
                counts[(in_hour, used)][0] += 1
            for new_hour, new_key, _ in new:
                counts[(new_hour, new_key)][1] += 1
            for rows in _chunks(sorted(counts.items())):
                cursor.execute(
                    f"INSERT INTO {hours_table} (hour, {key}, uses, authors) VALUES "  # noqa: S608
                    + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
                    + f" ON CONFLICT (hour, {key}) DO UPDATE SET uses = {hours_table}.uses + excluded.uses, "
                    f"authors = {hours_table}.authors + excluded.authors",
                    [value for (hour, k), (n, authors) in rows for value in (hour, k, n, authors)],
                )


def _chunks(rows: list[Any], size: int = 1000) -> Iterable[list[Any]]:
    """``rows`` in statements of at most ``size`` rows (well under both databases' parameter limits)."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class SqlActivityStore(_SqlStore[int]):
    hour_model = TopicHour
    author_model = TopicHourAuthor
    key = "topic_id"

    def prune(self, before: int) -> None:
        super().prune(before)
        CountedPost.objects.filter(hour__lt=before).delete()

    def record_many(self, keys: Iterable[int], author_id: int, hour: int) -> None:
        for key in keys:
            self.record(key, author_id, hour)

    def record(self, topic_id: int, author_id: int, hour: int) -> None:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    TopicHourAuthor.objects.create(topic_id=topic_id, hour=hour, author_id=author_id)
                new_author = 1
            except IntegrityError:
                new_author = 0
            bump = {"uses": F("uses") + 1, "authors": F("authors") + new_author}
            if TopicHour.objects.filter(topic_id=topic_id, hour=hour).update(**bump):
                return
            try:
                with transaction.atomic():
                    TopicHour.objects.create(topic_id=topic_id, hour=hour, uses=1, authors=new_author)
            except IntegrityError:  # created meanwhile by a concurrent writer
                TopicHour.objects.filter(topic_id=topic_id, hour=hour).update(**bump)


class SqlKeywordStore(_SqlStore[str]):
    """Keywords arrive a post's worth at a time (up to ``keywords.MAX_TERMS`` each), so they are counted in
    two statements per post, exactly even under concurrent writers: insert the (hour, term, author) rows
    that are new, returning which were (``ON CONFLICT DO NOTHING RETURNING``), then upsert every term's hour
    row adding one use and one author for the new ones (``ON CONFLICT DO UPDATE``). SQLite ≥ 3.35 and
    PostgreSQL both speak this."""

    hour_model = KeywordHour
    author_model = KeywordHourAuthor
    key = "term"

    def record(self, topic_id: str, author_id: int, hour: int) -> None:
        self.record_many([topic_id], author_id, hour)

    def record_many(self, keys: Iterable[str], author_id: int, hour: int) -> None:
        terms = list(dict.fromkeys(keys))
        if not terms:
            return
        authors_table = connection.ops.quote_name(KeywordHourAuthor._meta.db_table)
        hours_table = connection.ops.quote_name(KeywordHour._meta.db_table)
        rows = ", ".join(["(%s, %s, %s)"] * len(terms))
        hour_rows = ", ".join(["(%s, %s, 1, %s)"] * len(terms))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {authors_table} (term, hour, author_id) VALUES {rows} "  # noqa: S608
                "ON CONFLICT (hour, term, author_id) DO NOTHING RETURNING term",
                [value for term in terms for value in (term, hour, author_id)],
            )
            new = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                f"INSERT INTO {hours_table} (term, hour, uses, authors) VALUES {hour_rows} "  # noqa: S608
                f"ON CONFLICT (hour, term) DO UPDATE SET uses = {hours_table}.uses + 1, "
                f"authors = {hours_table}.authors + excluded.authors",
                [value for term in terms for value in (term, hour, 1 if term in new else 0)],
            )


# KEYS: hour hash, author HLL. ARGV: topic ID, TTL seconds. Counts the use, and the author when new this hour.
_RECORD = """
local added = redis.call('PFADD', KEYS[2], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'u:' .. ARGV[1], 1)
if added == 1 then redis.call('HINCRBY', KEYS[1], 'a:' .. ARGV[1], 1) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return added
"""


class _RedisStore(Generic[K]):
    """Both Redis stores: ``namespace`` separates topics (``tr``) from keywords (``kw``); ``parse`` turns a
    hash field's key back into what is counted."""

    name = "redis"
    namespace = "tr"
    parse: Callable[[str], K]

    def __init__(self, prefix: str | None = None) -> None:
        from spool.core.redis import redis_client

        self.prefix = f"{prefix or settings.KEY_PREFIX}:{self.namespace}"
        self.redis = redis_client()
        self._record = self.redis.register_script(_RECORD)

    def _hour_key(self, hour: int) -> str:
        return f"{self.prefix}:h:{hour}"

    def _authors_key(self, hour: int, topic_id: K) -> str:
        return f"{self.prefix}:a:{hour}:{topic_id}"

    def record(self, topic_id: K, author_id: int, hour: int) -> None:
        keys = [self._hour_key(hour), self._authors_key(hour, topic_id)]
        self._record(keys=keys, args=[topic_id, RETENTION_HOURS * 3600, author_id])

    def record_many(self, keys: Iterable[K], author_id: int, hour: int) -> None:
        """One pipeline (one round trip) of the record script, a call per key."""
        pipe = self.redis.pipeline(transaction=False)
        for key in dict.fromkeys(keys):
            self._record(
                keys=[self._hour_key(hour), self._authors_key(hour, key)],
                args=[key, RETENTION_HOURS * 3600, author_id],
                client=pipe,
            )
        pipe.execute()

    def hourly(self, first: int, last: int, topic_ids: Iterable[K] | None = None) -> Activity[K]:
        wanted = {str(t) for t in topic_ids} if topic_ids is not None else None
        pipe = self.redis.pipeline(transaction=False)
        hours = range(first, last + 1)
        for hour in hours:
            pipe.hgetall(self._hour_key(hour))
        uses: dict[tuple[K, int], int] = defaultdict(int)
        authors: dict[tuple[K, int], int] = defaultdict(int)
        for hour, fields in zip(hours, pipe.execute(), strict=True):
            for raw_field, raw_value in fields.items():
                kind, _, topic = raw_field.decode().partition(":")
                if wanted is not None and topic not in wanted:
                    continue
                target = uses if kind == "u" else authors
                target[(self.parse(topic), hour)] = int(raw_value)
        found: Activity[K] = defaultdict(dict)
        for (topic_id, hour), count in uses.items():
            found[topic_id][hour] = HourCount(count, authors.get((topic_id, hour), 0))
        return dict(found)

    def distinct_authors(self, topic_ids: Iterable[K], first: int, last: int) -> dict[K, int]:
        ids = list(topic_ids)
        pipe = self.redis.pipeline(transaction=False)
        for topic_id in ids:
            pipe.pfcount(*[self._authors_key(hour, topic_id) for hour in range(first, last + 1)])
        return {t: int(n) for t, n in zip(ids, pipe.execute(), strict=True) if n}

    def prune(self, before: int) -> None:
        """Nothing to do: every key expires on its own."""

    def clear(self) -> None:
        """Drop every key of this store (tests)."""
        keys = list(self.redis.scan_iter(f"{self.prefix}:*", count=1000))
        if keys:
            self.redis.delete(*keys)


# KEYS: the post's marker, then (hour hash, author HLL) per counted key. ARGV: TTL seconds, author ID, then
# the hash field key of each pair. Sets the marker unless it exists, and only then counts every key as
# _RECORD does; one script, so the marker and the counts are written together or not at all.
_RECORD_POST = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 0 end
for i = 3, #ARGV do
  local hash, hll = KEYS[2 * i - 4], KEYS[2 * i - 3]
  local added = redis.call('PFADD', hll, ARGV[2])
  redis.call('HINCRBY', hash, 'u:' .. ARGV[i], 1)
  if added == 1 then redis.call('HINCRBY', hash, 'a:' .. ARGV[i], 1) end
  redis.call('EXPIRE', hash, ARGV[1])
  redis.call('EXPIRE', hll, ARGV[1])
end
return 1
"""


class RedisActivityStore(_RedisStore[int]):
    namespace = "tr"
    parse = staticmethod(int)

    def __init__(self, prefix: str | None = None) -> None:
        super().__init__(prefix)
        from spool.core.redis import FastScript

        # count_posts_once's script, once per store rather than per post, sent the short way: packing it
        # through a redis-py pipeline (and the pipeline's SCRIPT EXISTS first) took 0.3-0.9 ms per post.
        self._record_post = FastScript(self.redis, _RECORD_POST)


class RedisKeywordStore(_RedisStore[str]):
    namespace = "kw"
    parse = staticmethod(str)


def _configured_topics() -> ActivityStore[int]:
    return RedisActivityStore() if settings.SPOOL.redis_url else SqlActivityStore()


def _configured_keywords() -> ActivityStore[str]:
    return RedisKeywordStore() if settings.SPOOL.redis_url else SqlKeywordStore()


ACTIVITY_STORE: Swappable[ActivityStore[int]] = Swappable(_configured_topics)
KEYWORD_STORE: Swappable[ActivityStore[str]] = Swappable(_configured_keywords)


def activity_store() -> ActivityStore[int]:
    """The topic store in use: Redis when ``REDIS_URL`` is set, the SQL tables otherwise."""
    return ACTIVITY_STORE.get()


def keyword_store() -> ActivityStore[str]:
    """The keyword store in use: Redis when ``REDIS_URL`` is set, the SQL tables otherwise."""
    return KEYWORD_STORE.get()


def use_activity_store(store: Any) -> AbstractContextManager[ActivityStore[int]]:
    """Use ``store`` instead of the configured topic store inside the block (tests run every rule on
    both)."""
    return ACTIVITY_STORE.use(store)


def use_keyword_store(store: Any) -> AbstractContextManager[ActivityStore[str]]:
    """Use ``store`` instead of the configured keyword store inside the block."""
    return KEYWORD_STORE.use(store)


def count_post_once(
    post_id: int, author_id: int, hour: int, topic_id: int | None, terms: Iterable[str]
) -> bool:
    """:func:`count_posts_once` for one post; whether it counted now."""
    return count_posts_once([CountedUse(post_id, author_id, hour, topic_id, list(terms))])[0]


@dataclass(frozen=True)
class CountedUse:
    """What :func:`count_posts_once` counts for one post."""

    post_id: int
    author_id: int
    hour: int
    topic_id: int | None
    terms: list[str]


def count_posts_once(posts: list[CountedUse]) -> list[bool]:
    """Count each of ``posts`` — a use of its ``topic_id`` (when given) and of each of its ``terms`` by its
    author in its hour — unless it was counted before; returns whether each counted now. The per-post marker
    is written atomically with the counts, so the counting task can be retried after any failure without
    counting a post twice: with both Redis stores, one script per post (marker key
    ``<prefix>:counted:<post>``, expiring with the buckets), all of them sent at once (one round
    trip, :meth:`spool.core.redis.FastScript.many`); otherwise one database transaction per post holding a
    ``CountedPost`` row and the SQL counts.
    (The two stores follow ``REDIS_URL`` together; a mix, which only tests make, keeps the marker in the
    database and stays exactly-once, but a Redis write that fails is not rolled back.)"""
    topics, keywords = activity_store(), keyword_store()
    if isinstance(topics, RedisActivityStore) and isinstance(keywords, RedisKeywordStore):
        calls: list[tuple[list[str], list[int | str]]] = []
        for post in posts:
            pairs: list[tuple[_RedisStore[Any], Any]] = [
                (keywords, word) for word in dict.fromkeys(post.terms)
            ]
            if post.topic_id is not None:
                pairs.insert(0, (topics, post.topic_id))
            keys = [f"{topics.prefix}:counted:{post.post_id}"]
            for store, key in pairs:
                keys += [store._hour_key(post.hour), store._authors_key(post.hour, key)]
            calls.append((keys, [RETENTION_HOURS * 3600, post.author_id, *(key for _, key in pairs)]))
        return [bool(counted) for counted in topics._record_post.many(calls)]
    if isinstance(topics, SqlActivityStore) and isinstance(keywords, SqlKeywordStore):
        return _count_in_database_at_once(posts, topics, keywords)
    return [_count_in_database(post, topics, keywords) for post in posts]


def _count_in_database_at_once(
    posts: list[CountedUse], topics: SqlActivityStore, keywords: SqlKeywordStore
) -> list[bool]:
    """With both SQL stores: every post's marker and counts in one transaction and a few statements
    (``CountedPost`` rows inserted unless there, returning which were new; only those posts counted)."""
    table = connection.ops.quote_name(CountedPost._meta.db_table)
    fresh: set[int] = set()
    with transaction.atomic(), connection.cursor() as cursor:
        first: dict[int, CountedUse] = {}
        for post in posts:  # a post named twice counts once, as it was named first
            first.setdefault(post.post_id, post)
        markers = sorted((post_id, post.hour) for post_id, post in first.items())
        for rows in _chunks(markers):
            cursor.execute(
                f"INSERT INTO {table} (post_id, hour) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(rows))
                + " ON CONFLICT (post_id) DO NOTHING RETURNING post_id",
                [value for row in rows for value in row],
            )
            fresh.update(row[0] for row in cursor.fetchall())
        counting = [post for post_id, post in first.items() if post_id in fresh]
        topics.record_uses(
            (post.topic_id, post.author_id, post.hour) for post in counting if post.topic_id is not None
        )
        keywords.record_uses(
            (word, post.author_id, post.hour) for post in counting for word in dict.fromkeys(post.terms)
        )
    counted: list[bool] = []
    for post in posts:
        counted.append(post.post_id in fresh)
        fresh.discard(post.post_id)
    return counted


def _count_in_database(post: CountedUse, topics: ActivityStore[int], keywords: ActivityStore[str]) -> bool:
    words = list(dict.fromkeys(post.terms))
    with transaction.atomic():
        try:
            with transaction.atomic():
                CountedPost.objects.create(post_id=post.post_id, hour=post.hour)
        except IntegrityError:
            return False
        if post.topic_id is not None:
            topics.record(post.topic_id, post.author_id, post.hour)
        if words:
            keywords.record_many(words, post.author_id, post.hour)
    return True
