"""Publishing to connected clients through the channel layer, from synchronous code.

Live delivery is best effort: the data is already committed and readable through the APIs, so a layer that
is down (Redis unreachable) is logged and never fails the request that caused the event.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from spool.core.batching import gather
from spool.realtime.groups import account_group

log = logging.getLogger(__name__)


Send = tuple[Iterable[str], dict[str, Any]]


# Which of its keys exist, as their 1-based positions: one command for a whole chunk of groups.
_EXISTING = """
local found = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then found[#found + 1] = i end
end
return found
"""
# Groups asked about per command: a celebrity's post names one home group per follower (a hundred thousand
# and more), and Redis serves nobody else while a script runs, so each one is kept to about a millisecond.
CHUNK = 1000


async def _listened(layer: Any, groups: list[str]) -> list[str]:
    """Those of ``groups`` someone is in. In-process that is known here; on the Redis layer it is one
    ``EXISTS`` per group, run by a script per ``CHUNK`` groups on their host (most followers of a poster
    are not connected, and a ``group_send`` to an empty group still costs two round trips). A group whose
    members all vanished still exists until ``group_send`` sweeps it, so it is kept: only groups nobody is
    in are skipped.

    A script, not a pipeline of ``EXISTS``: for a post by an account with 96,000 followers the pipeline's
    commands and replies, one Python object each, took 1.4 s of CPU in one go on the event loop of the
    server process that answered the post (a view's ``async_to_sync`` runs there:
    ``docs/subsystems/running.md``), and every other connection of that process waited as long (home
    reads up to 1.3 s while a celebrity posted). The script's chunks send the key names and get back only
    the few positions that exist (96 ms for the 96,000), and the loop serves other connections between
    them."""
    if isinstance(layer, InMemoryChannelLayer):
        return [group for group in groups if layer.groups.get(group)]
    # channels_redis's own helpers (not public API): any layer without all three is asked group by group.
    group_key, host_of, connection = (
        getattr(layer, name, None) for name in ("_group_key", "consistent_hash", "connection")
    )
    if group_key is None or host_of is None or connection is None:
        return groups
    by_host: dict[int, list[str]] = defaultdict(list)
    for group in groups:
        by_host[host_of(group)].append(group)
    found: set[str] = set()
    for host, names in by_host.items():
        existing = connection(host).register_script(_EXISTING)
        for start in range(0, len(names), CHUNK):
            chunk = names[start : start + CHUNK]
            positions = await existing(keys=[group_key(group) for group in chunk])
            found.update(chunk[position - 1] for position in positions)
    return [group for group in groups if group in found]


async def _send_all(layer: Any, sends: list[tuple[list[str], dict[str, Any]]]) -> int:
    """Every message to the groups of its own that someone is in, after one look-up for all; returns how
    many group sends that made."""
    listened = set(await _listened(layer, list(dict.fromkeys(g for groups, _ in sends for g in groups))))
    sent = 0
    for groups, message in sends:
        for group in groups:
            if group in listened:
                await layer.group_send(group, {**message, "group": group})
                sent += 1
    return sent


def nobody_listens() -> bool:
    """Whether no connection can hear a push from this process: no channel layer, or an in-process one
    with no group at all (a worker process, where no WebSocket is ever opened). Handlers ask this before
    working out a push's groups, which costs queries."""
    layer = get_channel_layer()
    return layer is None or (isinstance(layer, InMemoryChannelLayer) and not any(layer.groups.values()))


def push_each(sends: Iterable[Send]) -> None:
    """Send each ``(groups, message)``: ``message`` (a dict with a ``type``) to every connection in each of
    its ``groups``, each copy carrying ``group``, the group it was sent to. All of them in one hop to the
    layer, with one look-up of which groups anyone is in."""
    layer = get_channel_layer()
    if layer is None:
        return
    wanted = [(list(dict.fromkeys(groups)), message) for groups, message in sends]
    wanted = [(groups, message) for groups, message in wanted if groups]
    if isinstance(layer, InMemoryChannelLayer):
        # In-process, who listens is known here: skip the event-loop hop when nobody is in any group.
        wanted = [([g for g in groups if layer.groups.get(g)], message) for groups, message in wanted]
        wanted = [(groups, message) for groups, message in wanted if groups]
    if not wanted:
        return
    try:
        async_to_sync(_send_all)(layer, wanted)
    except Exception:
        log.exception("realtime push of %d message(s) failed", len(wanted))


def push_many(groups: Iterable[str], message: dict[str, Any]) -> None:
    """Send ``message`` (a dict with a ``type``) to every connection in each of ``groups``; each copy
    carries ``group``, the group it was sent to."""
    push_each([(groups, message)])


def push_gathered(groups: Iterable[str], message: dict[str, Any]) -> None:
    """:func:`push_many`, or, inside :func:`~spool.core.batching.batched_tasks` (an inbox batch), kept for
    one :func:`push_each` of all the batch's pushes when it ends: one hop to the layer, not one each."""
    wanted = list(groups)
    if not gather(push_each, (wanted, message)):
        push_many(wanted, message)


def push(group: str, message: dict[str, Any]) -> None:
    push_many([group], message)


def event_message(event: str, payload: Any) -> dict[str, Any]:
    """A message delivered to clients as it is: ``payload`` is a string or a JSON-serialisable value."""
    return {"type": "realtime.event", "event": event, "payload": payload}


def push_to_account(account_id: int, event: str, payload: Any) -> None:
    """An event for one person's own connections (``account.<id>``)."""
    push(account_group(account_id), event_message(event, payload))


def push_after_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    """:func:`push_many` once the current transaction commits; nothing if it rolls back."""
    transaction.on_commit(partial(push_many, list(groups), message))
