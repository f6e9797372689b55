"""Cleaning up Redis between tests."""

from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase


def delete_redis_keys(*patterns: str) -> None:
    """Delete the Redis keys matching any of ``patterns`` (glob patterns). SCAN walks the whole database
    (every worker's keys and the cache's) whatever it matches, so there is one walk for all the patterns (of
    their common prefix, each key then matched here), asking for 1,000 keys a round trip rather than Redis'
    default 10: with the thousands of keys a run leaves behind, a handful of round trips per test."""
    from spool.core.redis import redis_client

    client = redis_client()
    common = os.path.commonprefix(patterns)  # noqa: RUF071 (key patterns, not paths)
    prefix = re.split(r"[*?\[\\]", common, maxsplit=1)[0]
    keys = [
        key
        for key in client.scan_iter(f"{prefix}*", count=1000)
        if any(fnmatchcase(key.decode(errors="replace"), pattern) for pattern in patterns)
    ]
    if keys:
        client.delete(*keys)
