"""Events published by the moderation services (see :mod:`spool.core.events`). Higher apps react to them:
notifications tell the person affected."""

from __future__ import annotations

from dataclasses import dataclass

from spool.core.events import Event


@dataclass(frozen=True)
class ModerationNotice(Event):
    """Something moderators decided concerns ``account_id``: an action (with its note) or an appeal's
    outcome. ``action_id`` is the action the notice is about."""

    account_id: int
    action_id: int
