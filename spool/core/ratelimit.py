"""Fixed-window rate limits on writes.

``hit(rule, key)`` counts one action and raises :class:`~spool.core.errors.RateLimited` once the limit is
passed. Each rule's default can be overridden by its scope in the ``RATE_LIMITS`` setting
(``SPOOL_RATE_LIMITS='{"follows": 500}'``), which is also how tests lower a limit to reach its edge.
Counters live in Redis when ``REDIS_URL`` is set (shared by every process) and in the database otherwise
(shared by the web server and the worker on one machine). A rule counted with ``local=True`` (the Mastodon
API's request limit, which every read passes) keeps its embedded counter in this process's memory instead:
a read must not write a row, and a budget per server process is close enough for a flood guard.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from spool.core.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: timedelta


def limit_of(rule: Limit) -> int:
    """The limit in force for ``rule``: the ``RATE_LIMITS`` setting's value for its scope, else the
    default."""
    overrides: dict[str, int] = getattr(settings, "RATE_LIMITS", None) or {}
    return int(overrides.get(rule.scope, rule.limit))


@dataclass(frozen=True)
class Usage:
    """Where a key stands after one more action: what the headers ``X-RateLimit-*`` report."""

    limit: int
    remaining: int
    resets_in: int  # seconds until the window starts again


def _name(rule: Limit, key: str | int) -> str:
    return f"{settings.KEY_PREFIX}:rl:{rule.scope}:{key}"


def hit(rule: Limit, key: str | int) -> int:
    """Count one action under ``rule`` for ``key``; return how many remain; raise when over the limit."""
    return count(rule, key).remaining


class Rider(Protocol):
    """Other Redis keys read in the same round trip as a counter's (see :func:`count`)."""

    def keys(self) -> list[str]: ...

    def take(self, values: list[bytes | None]) -> None: ...


class Riders:
    """Several riders on one counter's round trip, each given the values of its own keys."""

    __slots__ = ("riders", "sizes")

    def __init__(self, *riders: Rider) -> None:
        self.riders = riders
        self.sizes: list[int] = []

    def keys(self) -> list[str]:
        every = [rider.keys() for rider in self.riders]
        self.sizes = [len(keys) for keys in every]
        return [key for keys in every for key in keys]

    def take(self, values: list[bytes | None]) -> None:
        at = 0
        for rider, size in zip(self.riders, self.sizes, strict=True):
            rider.take(values[at : at + size])
            at += size


def count(rule: Limit, key: str | int, *, local: bool = False, rider: Rider | None = None) -> Usage:
    """Like :func:`hit`, returning the whole :class:`Usage`. One Redis round trip, or one SQL statement (no
    statement with ``local=True``: counted in this process when there is no Redis). With Redis, ``rider``
    names keys read in the same round trip and takes their values (embedded, it is left alone)."""
    name = _name(rule, key)
    window_s = int(rule.window.total_seconds())
    limit = limit_of(rule)
    if settings.SPOOL.redis_url:
        used, ttl = _hit_redis(name, window_s, rider)
    elif local:
        used, ttl = _hit_local(name, window_s)
    else:
        used, ttl = _hit_database(name, rule.window)
    if used > limit:
        raise RateLimited(
            f"Too many {rule.scope.replace('_', ' ')} — the limit is {limit} per "
            f"{_describe(rule.window)}. Try again later.",
            retry_after=max(ttl, 1),
            limit=limit,
        )
    return Usage(limit, limit - used, max(ttl, 0))


# KEYS: the counter, then the rider's keys; ARGV: the window in seconds. Returns the count, the seconds left
# in the window and the riders' values. EXPIRE NX gives the window its end whichever INCR came first.
_HIT = """
local used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
local out = {used, redis.call('TTL', KEYS[1])}
for i = 2, #KEYS do out[i + 1] = redis.call('GET', KEYS[i]) end
return out
"""


@cache
def _hit_script() -> Any:
    from spool.core.redis import FastScript, redis_client

    return FastScript(redis_client(), _HIT)


def _hit_redis(name: str, window_s: int, rider: Rider | None = None) -> tuple[int, int]:
    """One ``EVALSHA`` (one command to send and one reply to parse, where a pipeline of ``INCR``,
    ``EXPIRE``, ``TTL`` and the rider's ``MGET`` cost four of each), every API request's: sent the short
    way (:class:`spool.core.redis.FastScript`)."""
    keys = [name, *rider.keys()] if rider is not None else [name]
    count, ttl, *values = _hit_script()(keys, (window_s,))
    if rider is not None:
        rider.take(values)
    return int(count), int(ttl)


# name -> [count, monotonic time the window ends]; guarded by the lock (requests run on several threads).
_LOCAL: dict[str, list[float]] = {}
_LOCAL_LOCK = threading.Lock()
_LOCAL_MAX = 50_000  # keys kept before ended windows are swept


def _hit_local(name: str, window_s: int) -> tuple[int, int]:
    now = time.monotonic()
    with _LOCAL_LOCK:
        entry = _LOCAL.get(name)
        if entry is None or entry[1] <= now:
            if len(_LOCAL) >= _LOCAL_MAX:
                for ended in [k for k, (_, ends) in _LOCAL.items() if ends <= now]:
                    del _LOCAL[ended]
            entry = _LOCAL[name] = [0, now + window_s]
        entry[0] += 1
        return int(entry[0]), int(entry[1] - now)


def reset_local() -> None:
    """Forget this process's local counters (tests start each from zero)."""
    with _LOCAL_LOCK:
        _LOCAL.clear()


def _hit_database(name: str, window: timedelta) -> tuple[int, int]:
    """One upsert that starts a new window when the old one has ended, else adds one (SQLite and PostgreSQL
    both have ``ON CONFLICT … RETURNING``); no explicit transaction, so no savepoints either."""
    from spool.core.models import RateCounter

    now = timezone.now()
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, window_ends) VALUES (%s, 1, %s) "  # noqa: S608 (fixed names)
            f"ON CONFLICT (key) DO UPDATE SET "
            f"count = CASE WHEN {table}.window_ends <= %s THEN 1 ELSE {table}.count + 1 END, "
            f"window_ends = CASE WHEN {table}.window_ends <= %s THEN excluded.window_ends "
            f"ELSE {table}.window_ends END "
            f"RETURNING count, window_ends",
            [name, adapt(now + window), adapt(now), adapt(now)],
        )
        count, ends = cursor.fetchone()
    if isinstance(ends, str):
        ends = parse_datetime(ends)
    if timezone.is_naive(ends):
        ends = timezone.make_aware(ends, UTC)
    return int(count), int((ends - now).total_seconds())


# KEYS: the counter. Takes one back unless it is gone (its window ended) or at zero.
_REFUND = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


@cache
def _refund_script() -> Any:
    from spool.core.redis import redis_client

    return redis_client().register_script(_REFUND)


def refund(rule: Limit, key: str | int) -> None:
    """Take back one action counted by :func:`hit` under ``rule`` for ``key`` (it did not happen after all),
    in its window if that has not ended; a counter at zero stays there. Not for ``local=True`` rules."""
    name = _name(rule, key)
    if settings.SPOOL.redis_url:
        _refund_script()(keys=[name])
        return
    from spool.core.models import RateCounter

    RateCounter.objects.filter(key=name, count__gt=0, window_ends__gt=timezone.now()).update(
        count=F("count") - 1
    )


def _describe(window: timedelta) -> str:
    hours = window.total_seconds() / 3600
    if hours >= 1 and hours == int(hours):
        return "24 hours" if hours == 24 else f"{int(hours)} hours" if hours > 1 else "hour"
    return f"{int(window.total_seconds())} seconds"
