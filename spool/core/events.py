"""Domain events: how a service tells the rest of Spool what happened without importing it.

A service calls ``publish(SomeEvent(...))`` inside its transaction. Handlers registered with
``subscribe(SomeEvent, handler)`` run inside that same transaction (they keep derived rows such as
notifications exact, and roll back with it); handlers registered with ``after_commit=True`` run only once the
transaction has committed (they enqueue tasks, push WebSocket events, deliver to other servers) and never see
work that rolled back.

Higher layers (notifications, feeds, federation, realtime) subscribe in their ``AppConfig.ready``; domain
apps below them never import them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db import transaction


@dataclass(frozen=True)
class Event:
    """Base of all domain events. Events carry IDs, never model instances, so handlers can run anywhere."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]

_in_transaction: dict[type[Event], list[Handler]] = defaultdict(list)
_after_commit: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None], *, after_commit: bool = False) -> None:
    registry = _after_commit if after_commit else _in_transaction
    if handler not in registry[event_type]:
        registry[event_type].append(handler)


def publish(event: Event) -> None:
    for handler in _in_transaction.get(type(event), ()):
        handler(event)
    for handler in _after_commit.get(type(event), ()):
        transaction.on_commit(partial(handler, event))
