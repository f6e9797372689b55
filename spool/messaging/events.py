"""Events published by the messaging services (see :mod:`spool.core.events`).

Each carries the conversation and the IDs of the accounts that should hear about it (``audience``: the
members who can see the message), computed inside the transaction so that realtime handlers running after
commit need no further query to route it, and each of those accounts' change sequence number for it
(``seqs``), which live frames carry so that a client can resume from the last one it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spool.core.events import Event

# (account ID, that account's change sequence number for this event): see ``messaging.changes``.
Seqs = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class MessageSent(Event):
    conversation_id: int
    message_id: int
    sender_id: int | None
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)


@dataclass(frozen=True)
class MessageEdited(Event):
    conversation_id: int
    message_id: int
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)


@dataclass(frozen=True)
class MessageUnsent(Event):
    conversation_id: int
    message_id: int
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)


@dataclass(frozen=True)
class MessageReacted(Event):
    """``emoji`` is empty when the reaction was removed."""

    conversation_id: int
    message_id: int
    account_id: int
    emoji: str
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)


@dataclass(frozen=True)
class ConversationRead(Event):
    conversation_id: int
    account_id: int
    message_id: int
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)


@dataclass(frozen=True)
class MembershipChanged(Event):
    """Someone joined, left, was added or removed, accepted or declined, or the group was renamed: clients
    refresh the conversation's header and member list."""

    conversation_id: int
    audience: tuple[int, ...] = field(default_factory=tuple)
    seqs: Seqs = field(default_factory=tuple)
