"""Topic activity counted in hourly buckets, behind one small interface with two stores.

- :class:`SqlActivityStore` (embedded default): a ``TopicHour`` row per (hour, topic) with its uses and
  distinct authors, plus a ``TopicHourAuthor`` row per (hour, topic, author) that keeps the author count exact
  and answers "how many distinct people in the window".
- :class:`RedisActivityStore` (chosen when ``REDIS_URL`` is set): one hash per hour (``u:<topic>`` uses,
  ``a:<topic>`` distinct authors that hour) and one HyperLogLog of authors per (hour, topic); keys expire
  after the baseline period, so nothing needs pruning. One Lua call records a use.

Hours are UNIX hours (``int(timestamp // 3600)``). The same tests run against both stores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F

from spool.feeds.trending.models import TopicHour, TopicHourAuthor

# Buckets are kept for the baseline period plus a day of slack.
RETENTION_HOURS = 8 * 24


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


class HourCount(NamedTuple):
    uses: int
    authors: int


# topic ID -> hour -> count
Activity = dict[int, dict[int, HourCount]]


class ActivityStore(Protocol):
    name: str

    def record(self, topic_id: int, author_id: int, hour: int) -> None:
        """Count one use of ``topic_id`` by ``author_id`` in ``hour``."""

    def hourly(self, first: int, last: int, topic_ids: Iterable[int] | None = None) -> Activity:
        """Counts for hours ``first..last`` (inclusive) of ``topic_ids`` (every topic active then when
        ``None``). Hours without activity are left out."""

    def distinct_authors(self, topic_ids: Iterable[int], first: int, last: int) -> dict[int, int]:
        """Distinct people who used each topic in hours ``first..last`` (approximate in Redis: HLL)."""

    def prune(self, before: int) -> None:
        """Forget hours before ``before``."""


class SqlActivityStore:
    name = "sql"

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

    def hourly(self, first: int, last: int, topic_ids: Iterable[int] | None = None) -> Activity:
        rows = TopicHour.objects.filter(hour__gte=first, hour__lte=last)
        if topic_ids is not None:
            rows = rows.filter(topic_id__in=list(topic_ids))
        found: Activity = defaultdict(dict)
        for topic_id, hour, uses, authors in rows.values_list("topic_id", "hour", "uses", "authors"):
            found[topic_id][hour] = HourCount(uses, authors)
        return dict(found)

    def distinct_authors(self, topic_ids: Iterable[int], first: int, last: int) -> dict[int, int]:
        rows = (
            TopicHourAuthor.objects.filter(topic_id__in=list(topic_ids), hour__gte=first, hour__lte=last)
            .values("topic_id")
            .annotate(n=Count("author_id", distinct=True))
            .order_by()
        )
        return {row["topic_id"]: row["n"] for row in rows}

    def prune(self, before: int) -> None:
        TopicHourAuthor.objects.filter(hour__lt=before).delete()
        TopicHour.objects.filter(hour__lt=before).delete()


# KEYS: hour hash, author HLL. ARGV: topic ID, TTL seconds. Counts the use, and the author when new this hour.
_RECORD = """
local added = redis.call('PFADD', KEYS[2], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'u:' .. ARGV[1], 1)
if added == 1 then redis.call('HINCRBY', KEYS[1], 'a:' .. ARGV[1], 1) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return added
"""


class RedisActivityStore:
    name = "redis"

    def __init__(self, prefix: str | None = None) -> None:
        from spool.core.redis import redis_client

        self.prefix = f"{prefix or settings.KEY_PREFIX}:tr"
        self.redis = redis_client()
        self._record = self.redis.register_script(_RECORD)

    def _hour_key(self, hour: int) -> str:
        return f"{self.prefix}:h:{hour}"

    def _authors_key(self, hour: int, topic_id: int) -> str:
        return f"{self.prefix}:a:{hour}:{topic_id}"

    def record(self, topic_id: int, author_id: int, hour: int) -> None:
        keys = [self._hour_key(hour), self._authors_key(hour, topic_id)]
        self._record(keys=keys, args=[topic_id, RETENTION_HOURS * 3600, author_id])

    def hourly(self, first: int, last: int, topic_ids: Iterable[int] | None = None) -> Activity:
        wanted = {str(t) for t in topic_ids} if topic_ids is not None else None
        pipe = self.redis.pipeline(transaction=False)
        hours = range(first, last + 1)
        for hour in hours:
            pipe.hgetall(self._hour_key(hour))
        uses: dict[tuple[int, int], int] = defaultdict(int)
        authors: dict[tuple[int, int], int] = defaultdict(int)
        for hour, fields in zip(hours, pipe.execute(), strict=True):
            for raw_field, raw_value in fields.items():
                kind, _, topic = raw_field.decode().partition(":")
                if wanted is not None and topic not in wanted:
                    continue
                target = uses if kind == "u" else authors
                target[(int(topic), hour)] = int(raw_value)
        found: Activity = defaultdict(dict)
        for (topic_id, hour), count in uses.items():
            found[topic_id][hour] = HourCount(count, authors.get((topic_id, hour), 0))
        return dict(found)

    def distinct_authors(self, topic_ids: Iterable[int], first: int, last: int) -> dict[int, int]:
        ids = list(topic_ids)
        pipe = self.redis.pipeline(transaction=False)
        for topic_id in ids:
            pipe.pfcount(*[self._authors_key(hour, topic_id) for hour in range(first, last + 1)])
        return {t: int(n) for t, n in zip(ids, pipe.execute(), strict=True) if n}

    def prune(self, before: int) -> None:
        """Nothing to do: every key expires on its own."""

    def clear(self) -> None:
        """Drop every key of this store (tests)."""
        keys = list(self.redis.scan_iter(f"{self.prefix}:*"))
        if keys:
            self.redis.delete(*keys)


_override: ActivityStore | None = None
_default: ActivityStore | None = None


def activity_store() -> ActivityStore:
    """The store in use: Redis when ``REDIS_URL`` is set, the SQL tables otherwise."""
    global _default
    if _override is not None:
        return _override
    if _default is None:
        _default = RedisActivityStore() if settings.SPOOL.redis_url else SqlActivityStore()
    return _default


@contextmanager
def use_activity_store(store: Any) -> Iterator[ActivityStore]:
    """Use ``store`` instead of the configured one inside the block (tests run every rule on both)."""
    global _override
    previous, _override = _override, store
    try:
        yield store
    finally:
        _override = previous
