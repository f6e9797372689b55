"""Events published by the notifications app (see :mod:`spool.core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from spool.core.events import Event


@dataclass(frozen=True)
class NotificationCreated(Event):
    """A new notification row (live delivery subscribes after commit)."""

    notification_id: int
    recipient_id: int
