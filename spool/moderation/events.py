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


@dataclass(frozen=True)
class MessagesRemoved(Event):
    """Moderators removed these direct messages, all sent by ``sender_id`` (``restored``: an appeal reversed
    that). Published inside the action's transaction: messaging (above this app) hides or shows them in the
    same transaction, and raises ``NotFound`` when none of them exists any more, which undoes the action."""

    message_ids: tuple[int, ...]
    sender_id: int
    restored: bool = False
