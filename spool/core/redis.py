"""One shared Redis client for the scale-out mode."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.SPOOL.redis_url)
