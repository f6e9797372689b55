"""Fixed-window rate limits on writes.

``hit(scope, key, limit, window)`` counts one action and raises :class:`~spool.core.errors.RateLimited` once
the limit is passed. Counters live in Redis when ``REDIS_URL`` is set (shared by every process) and in the
database otherwise (shared by the web server and the worker on one machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from spool.core.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: timedelta


def hit(rule: Limit, key: str | int) -> int:
    """Count one action under ``rule`` for ``key``; return how many remain; raise when over the limit."""
    name = f"{settings.KEY_PREFIX}:rl:{rule.scope}:{key}"
    window_s = int(rule.window.total_seconds())
    if settings.SPOOL.redis_url:
        count, ttl = _hit_redis(name, window_s)
    else:
        count, ttl = _hit_database(name, rule.window)
    if count > rule.limit:
        raise RateLimited(
            f"Too many {rule.scope.replace('_', ' ')} — the limit is {rule.limit} per "
            f"{_describe(rule.window)}. Try again later.",
            retry_after=max(ttl, 1),
            limit=rule.limit,
        )
    return rule.limit - count


def _hit_redis(name: str, window_s: int) -> tuple[int, int]:
    from spool.core.redis import redis_client

    client = redis_client()
    pipe = client.pipeline()
    pipe.incr(name)
    pipe.expire(name, window_s, nx=True)
    pipe.ttl(name)
    count, _, ttl = pipe.execute()
    return int(count), int(ttl)


def _hit_database(name: str, window: timedelta) -> tuple[int, int]:
    from spool.core.models import RateCounter

    now = timezone.now()
    with transaction.atomic():
        counter, created = RateCounter.objects.select_for_update().get_or_create(
            key=name, defaults={"count": 1, "window_ends": now + window}
        )
        if not created:
            if counter.window_ends <= now:
                counter.count, counter.window_ends = 1, now + window
                counter.save(update_fields=["count", "window_ends"])
            else:
                RateCounter.objects.filter(key=name).update(count=F("count") + 1)
                counter.refresh_from_db(fields=["count"])
    return counter.count, int((counter.window_ends - now).total_seconds())


def _describe(window: timedelta) -> str:
    hours = window.total_seconds() / 3600
    if hours >= 1 and hours == int(hours):
        return "24 hours" if hours == 24 else f"{int(hours)} hours" if hours > 1 else "hour"
    return f"{int(window.total_seconds())} seconds"
