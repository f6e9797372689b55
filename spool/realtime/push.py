"""Publishing to connected clients through the channel layer, from synchronous code.

Live delivery is best effort: the data is already committed and readable through the APIs, so a layer that
is down (Redis unreachable) is logged and never fails the request that caused the event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from spool.realtime.groups import account_group

log = logging.getLogger(__name__)


async def _send_all(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    for group in groups:
        await layer.group_send(group, {**message, "group": group})


def nobody_listens() -> bool:
    """Whether no connection can hear a push from this process: no channel layer, or an in-process one
    with no group at all (a worker process, where no WebSocket is ever opened). Handlers ask this before
    working out a push's groups, which costs queries."""
    layer = get_channel_layer()
    return layer is None or (isinstance(layer, InMemoryChannelLayer) and not any(layer.groups.values()))


def push_many(groups: Iterable[str], message: dict[str, Any]) -> None:
    """Send ``message`` (a dict with a ``type``) to every connection in each of ``groups``; each copy
    carries ``group``, the group it was sent to."""
    layer = get_channel_layer()
    if layer is None:
        return
    wanted = list(dict.fromkeys(groups))
    if isinstance(layer, InMemoryChannelLayer):
        # In-process, who listens is known here: skip the event-loop hop for groups nobody is in (most
        # followers of a poster are not connected).
        wanted = [group for group in wanted if layer.groups.get(group)]
    if not wanted:
        return
    try:
        async_to_sync(_send_all)(layer, wanted, message)
    except Exception:
        log.exception("realtime push to %d group(s) failed", len(wanted))


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
