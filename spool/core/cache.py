"""Django's Redis cache backend with one connection pool per process.

Django's cache handler, like its database connections, is context-local: under ASGI each request gets a
new cache object, and Django's Redis client keeps its connection pools on that object, so every request
opened a new TCP connection to Redis (and left the old one to the garbage collector). Here the pools live
in the process, keyed by server and options, and every cache object uses them (redis-py's pools are
thread-safe, and reset themselves in a forked child).

``clear()`` empties this site's cache only. Django's flushes the whole Redis database, which also held the
site's timelines, rate-limit counters and For You pools (and, on a shared Redis, other sites' keys).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_pools: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write: bool) -> Any:
        client: Any = self  # django-stubs leave out the client's private attributes
        index = client._get_connection_pool_index(write)
        server, options = client._servers[index], client._pool_options
        key = (server, repr(sorted(options.items(), key=lambda item: item[0])))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = client._pool_class.from_url(server, **options)
        return pool


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class: Any = SharedPoolClient

    def clear(self) -> None:
        """Delete the cache's own entries: ``<KEY_PREFIX>:<version>:<key>``, every version. Spool's other
        Redis keys share the prefix but not the digit after it (``:tl:``, ``:rl:``, ``:fy:``...)."""
        backend: Any = self  # django-stubs leave out the backend's private client
        client = backend._cache.get_client(write=True)
        match = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":[0-9]*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=match, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
