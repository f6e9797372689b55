"""Where precomputed candidate pools are kept: a bounded list of post IDs per pool name, with the time it
was computed. Two stores behind one interface, chosen by configuration:

- :class:`SqlPoolStore` (embedded default): one ``CandidatePool`` row per pool (so the web process sees what
  the worker computed: the embedded cache is per process), read through Django's cache for a minute.
- :class:`RedisPoolStore` (``REDIS_URL`` set): a list ``<prefix>:fy:pool:<name>`` and its time
  ``<prefix>:fy:pool:<name>:at``, replaced together in one ``MULTI``; keys expire after a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from spool.core.backends import Swappable
from spool.feeds.for_you.models import CandidatePool

CACHE_SECONDS = 60
REDIS_TTL = 24 * 3600


@dataclass(frozen=True)
class StoredPool:
    ids: list[int]  # best first
    computed_at: datetime


class PoolStore(Protocol):
    name: str

    def write(self, pool: str, ids: list[int], computed_at: datetime) -> None:
        """Replace ``pool`` with ``ids`` (best first)."""

    def read(self, pool: str, count: int | None = None) -> StoredPool | None:
        """The pool as last written (its first ``count`` IDs when given), or ``None`` when it was never
        written (or expired)."""


class SqlPoolStore:
    name = "sql"

    @staticmethod
    def _key(pool: str) -> str:
        return f"foryou:pool:{pool}"

    def write(self, pool: str, ids: list[int], computed_at: datetime) -> None:
        CandidatePool.objects.update_or_create(name=pool, defaults={"ids": ids, "computed_at": computed_at})
        cache.set(self._key(pool), StoredPool(list(ids), computed_at), CACHE_SECONDS)

    def read(self, pool: str, count: int | None = None) -> StoredPool | None:
        found = cache.get(self._key(pool))
        if found is None:
            row = CandidatePool.objects.filter(name=pool).values_list("ids", "computed_at").first()
            if row is None:
                return None
            found = StoredPool([int(i) for i in row[0]], row[1])
            cache.set(self._key(pool), found, CACHE_SECONDS)
        return found if count is None else StoredPool(found.ids[:count], found.computed_at)

    def clear(self) -> None:
        """Forget every pool (tests)."""
        for pool in CandidatePool.objects.values_list("name", flat=True):
            cache.delete(self._key(pool))
        CandidatePool.objects.all().delete()


class RedisPoolStore:
    name = "redis"

    def __init__(self, prefix: str | None = None) -> None:
        from spool.core.redis import redis_client

        self.prefix = f"{prefix or settings.KEY_PREFIX}:fy:pool"
        self.redis = redis_client()

    def write(self, pool: str, ids: list[int], computed_at: datetime) -> None:
        key = f"{self.prefix}:{pool}"
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        if ids:
            pipe.rpush(key, *ids)
            pipe.expire(key, REDIS_TTL)
        pipe.set(f"{key}:at", computed_at.timestamp(), ex=REDIS_TTL)
        pipe.execute()

    def read(self, pool: str, count: int | None = None) -> StoredPool | None:
        # Only the IDs asked for: a ranking wants the first 40 or 150 of a thousand, and parsing the reply
        # costs CPU per element.
        key = f"{self.prefix}:{pool}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.lrange(key, 0, -1 if count is None else count - 1)
        pipe.get(f"{key}:at")
        ids, at = pipe.execute()
        if at is None:
            return None
        return StoredPool([int(i) for i in ids], datetime.fromtimestamp(float(at), tz=UTC))

    def clear(self) -> None:
        """Drop every pool of this store (tests)."""
        keys = list(self.redis.scan_iter(f"{self.prefix}:*", count=1000))
        if keys:
            self.redis.delete(*keys)


def _configured() -> PoolStore:
    return RedisPoolStore() if settings.SPOOL.redis_url else SqlPoolStore()


POOL_STORE: Swappable[PoolStore] = Swappable(_configured)


def pool_store() -> PoolStore:
    """The store in use: Redis when ``REDIS_URL`` is set, the ``CandidatePool`` rows otherwise."""
    return POOL_STORE.get()
