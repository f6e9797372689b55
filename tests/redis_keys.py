"""Cleaning up Redis between tests."""

from __future__ import annotations


def delete_redis_keys(*patterns: str) -> None:
    """Delete the Redis keys matching ``patterns``. SCAN walks the whole database (every worker's keys and
    the cache's), so it asks for 1,000 keys a round trip rather than Redis' default 10: with the few
    thousand keys a run leaves behind, that is a handful of round trips per test instead of hundreds."""
    from spool.core.redis import redis_client

    client = redis_client()
    keys = [key for pattern in patterns for key in client.scan_iter(pattern, count=1000)]
    if keys:
        client.delete(*keys)
