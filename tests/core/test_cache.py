"""The Redis cache's ``clear()`` empties this site's cache entries and nothing else: Django's own flushes the
whole database, which held the timelines, rate-limit counters and pools too (and, between test workers
sharing one Redis database, each other's keys: the cause of counted-query tests failing now and then)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from spool.core.redis import redis_client

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis only")


def test_clear_deletes_the_cache_entries_of_every_version() -> None:
    cache.set("a", 1)
    cache.set("b", 2, version=7)
    cache.set_many({f"many{i}": i for i in range(2500)})  # more than one batch of deletes
    cache.clear()
    assert cache.get("a") is None
    assert cache.get("b", version=7) is None
    assert cache.get_many([f"many{i}" for i in range(2500)]) == {}


def test_clear_keeps_the_sites_other_keys_and_other_sites_keys() -> None:
    client = redis_client()
    kept = [
        f"{settings.KEY_PREFIX}:tl:1",  # a timeline
        f"{settings.KEY_PREFIX}:rl:post:1",  # a rate-limit counter
        f"{settings.KEY_PREFIX}x:1:other",  # a site whose prefix starts like ours
        f"other{settings.KEY_PREFIX}:1:entry",  # a cache entry of another site
    ]
    try:
        for key in kept:
            client.set(key, b"v")
        cache.set("entry", 1)
        cache.clear()
        assert cache.get("entry") is None
        assert [client.get(key) for key in kept] == [b"v"] * len(kept)
    finally:
        client.delete(*kept)
