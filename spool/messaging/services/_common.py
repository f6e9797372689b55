"""Checks and helpers the messaging services share."""

from __future__ import annotations

from typing import Any

from spool.accounts.email_flows import require_confirmed_email
from spool.core.errors import Forbidden, ValidationError
from spool.identities.models import Account
from spool.messaging.access import readers_of
from spool.messaging.changes import Seqs, record
from spool.messaging.models import MAX_TEXT, Change, Membership, Message
from spool.posts.services.validation import check_plain


def check_actor(actor: Account) -> None:
    """Only active local accounts write, once their email address is confirmed when the server requires
    it."""
    if actor is None or not actor.is_active or not actor.is_local:
        raise Forbidden("This profile is deactivated.", code="deactivated")
    require_confirmed_email(actor.user_id)


def check_message_text(text: Any) -> str:
    """Message text: plain text without control characters, surrounding whitespace trimmed, at most 10,000
    characters (the limit of a post's text attachment)."""
    text = check_plain(text, field="text", what="message").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(
            f"A message can be at most {MAX_TEXT:,} characters long; this one is {len(text):,}.",
            code="text_too_long",
            field="text",
        )
    return text


def audience(conversation_id: int) -> tuple[int, ...]:
    """The accounts that receive live events of a conversation: everyone still in it."""
    return tuple(
        Membership.objects.filter(conversation_id=conversation_id)
        .exclude(state=Membership.State.LEFT)
        .values_list("account_id", flat=True)
    )


def recorded(
    kind: str, conversation_id: int, *, message_id: int | None = None, actor_id: int | None = None
) -> tuple[tuple[int, ...], Seqs]:
    """Everyone still in the conversation, and the change numbered in each one's sequence."""
    members = audience(conversation_id)
    return members, record(kind, conversation_id, members, message_id=message_id, actor_id=actor_id)


def message_changed(message: Message) -> tuple[tuple[int, ...], Seqs]:
    """The people who see ``message``, and its change (edit, unsend, reaction) numbered for each."""
    readers = tuple(readers_of(message).values_list("account_id", flat=True))
    seqs = record(Change.Kind.UPDATED, message.conversation_id, readers, message_id=message.pk)
    return readers, seqs


def require_member(membership: Membership) -> None:
    """The member can still take part (not left, removed or declined)."""
    if not membership.can_send:
        raise Forbidden("You're no longer in this conversation.", code="not_a_member")


def require_admin(membership: Membership) -> None:
    require_member(membership)
    if not membership.conversation.is_group:
        raise ValidationError("This is not a group.", code="not_a_group")
    if membership.role != Membership.Role.ADMIN:
        raise Forbidden("Only the group's admins can do this.", code="not_admin")
