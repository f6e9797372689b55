"""Who listens to their home feed right now, known to every process of the Redis channel layer.

A post enters the home feed of each of its author's followers, but only the few of them connected at that
moment can hear of it live. Working out every follower's ``home.<id>`` group and asking the layer which exist
cost time in proportion to the followers (for the bench's star, 96,194 of them: ~100 ms of CPU in the
process that answered the post, on its serving event loop), however few listened. Instead each connection
that joins a home group records itself here, in a sorted set next to the layer's groups: member
``<account id>:<channel>`` (one per connection, so one device leaving does not hide another), scored by the
time it expires. The push then reads the set and asks the database which of those accounts follow the
author (:func:`spool.realtime.delivery.local_followers`): its cost follows who is connected.

The contract that keeps it exact: a connection is recorded **before** it joins its home group, and stays
recorded until it has left it. Whoever is in a home group when a push reads the set is therefore in the set
(a push can miss no one), while the set may hold a little more (a connection that just left, one whose
process died): those cost a ``group_send`` to a group nobody is in, which the push's look-up of existing
groups skips anyway. Entries are refreshed every ``REFRESH_SECONDS`` while connected and treated as gone
``EXPIRES_AFTER`` seconds after the last refresh (a process that died without saying goodbye), by Redis's
clock; the margin between the two covers a stalled event loop.

The in-process layer (embedded) knows its own groups: it keeps no such set (:func:`registry` is ``None``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer

from spool.realtime.groups import home_account

log = logging.getLogger(__name__)

REFRESH_SECONDS = 60.0
EXPIRES_AFTER = 300.0
KEY = "home-listeners"

# Times are Redis's own (``TIME``, in seconds with microseconds), so clocks of the hosts the processes run
# on may drift apart without an entry expiring early.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000"
# Record ARGV[2..] as listening until ARGV[1] seconds from now.
_RECORD = (
    _NOW
    + """
local expires = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expires, ARGV[i]) end
"""
)
# Drop the expired entries, then the members listening, unless there are at least ARGV[1] (the caller
# would rather ask about its followers' groups then): one command, so one round trip for a push.
_LISTENING = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""
)


def registry(layer: Any) -> str | None:
    """The key of the set of home listeners on ``layer``, or ``None`` for a layer that keeps none (the
    in-process one, or any without channels_redis's ``prefix``, ``consistent_hash`` and ``connection``,
    which are not public API)."""
    if layer is None or isinstance(layer, InMemoryChannelLayer):
        return None
    if not all(hasattr(layer, name) for name in ("prefix", "consistent_hash", "connection")):
        return None
    return f"{layer.prefix}:{KEY}"


def _connection(layer: Any, key: str) -> Any:
    """The Redis connection holding ``key`` (the layer's connections belong to the running event loop)."""
    return layer.connection(layer.consistent_hash(key))


def _members(groups: Iterable[str], channel: str) -> list[str]:
    return [f"{account}:{channel}" for account in map(home_account, groups) if account is not None]


async def _record(layer: Any, groups: Iterable[str], channel: str) -> None:
    """Record (or refresh) ``channel`` as listening to the home groups among ``groups``."""
    key = registry(layer)
    members = _members(groups, channel)
    if key is None or not members:
        return
    await _connection(layer, key).eval(_RECORD, 1, key, EXPIRES_AFTER, *members)


async def join(layer: Any, group: str, channel: str) -> None:
    """``group_add`` ``channel`` to ``group``; for a home group, recorded as listening first (see the
    module's contract)."""
    await _record(layer, [group], channel)
    await layer.group_add(group, channel)


async def leave(layer: Any, group: str, channel: str) -> None:
    """``group_discard`` ``channel`` from ``group``; for a home group, its record goes only after."""
    await layer.group_discard(group, channel)
    key = registry(layer)
    members = _members([group], channel)
    if key is not None and members:
        await _connection(layer, key).zrem(key, *members)


async def keep(layer: Any, groups: Iterable[str], channel: str) -> None:
    """Refresh the records of the home groups among ``groups`` that ``channel`` is in."""
    await _record(layer, groups, channel)


async def keep_while_connected(layer: Any, channel: str, groups: Any) -> None:
    """Refresh every ``REFRESH_SECONDS`` the records of the home groups ``groups()`` names (a connection's
    current groups) until cancelled; a failed refresh is logged and tried again next time."""
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        try:
            await keep(layer, groups(), channel)
        except Exception:
            log.exception("refreshing the home listeners of %s failed", channel)


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def listening(layer: Any, fewer_than: int) -> list[int] | None:
    """The accounts listening to their home feed on ``layer``, each once, if fewer than ``fewer_than``
    connections listen; ``None`` when the layer keeps no such set or as many listen (then asking about the
    followers' groups costs less). Expired records are dropped on the way."""
    key = registry(layer)
    if key is None or fewer_than <= 0:
        return None
    members = await _connection(layer, key).eval(_LISTENING, 1, key, fewer_than)
    if members is None:
        return None
    return sorted({int(_text(member).split(":", 1)[0]) for member in members})


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member


def listening_now(layer: Any, fewer_than: int) -> list[int] | None:
    """:func:`listening`, from synchronous code; ``None`` (ask about every follower's group) if the layer
    cannot be asked: the push that follows says whether it is down."""
    try:
        return async_to_sync(listening)(layer, fewer_than)
    except Exception:
        log.exception("asking the layer who listens to a home feed failed")
        return None
