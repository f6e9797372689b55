"""Reading conversations and messages: the chokepoint every front door uses.

``access_membership(viewer, conversation_id)`` is the viewer's membership of a conversation or ``NotFound`` —
the same error for a conversation that does not exist and one the viewer is not in, so IDs cannot be probed.
``visible_messages(viewer)`` is the one rule for which messages a person sees: those of conversations they are
in, inside their window (after they joined and after what they cleared, up to when they left), minus the ones
they deleted for themselves.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import F, Q, QuerySet

from spool.core.errors import NotFound
from spool.identities.models import Account
from spool.messaging.models import HiddenMessage, Membership, Message, MessageQuerySet

NO_CONVERSATION = "No such conversation."
NO_MESSAGE = "No such message."


def parse_id(raw: Any, message: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    if value <= 0 or value >= 1 << 63:
        raise NotFound(message)
    return value


def access_membership(viewer: Account, conversation_id: Any, *, lock: bool = False) -> Membership:
    """``viewer``'s membership of the conversation (with it loaded); ``NotFound`` when there is none.
    ``lock`` takes a row lock on the membership (call inside a transaction)."""
    qs = Membership.objects.select_related("conversation").filter(
        conversation_id=parse_id(conversation_id, NO_CONVERSATION), account=viewer
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    membership = qs.first()
    if membership is None:
        raise NotFound(NO_CONVERSATION)
    return membership


def visible_messages(viewer: Account) -> MessageQuerySet:
    """Every message ``viewer`` may see, across their conversations (filter further by conversation)."""
    # One filter() call, so every condition applies to the same (viewer's) membership row of the join.
    mine = "conversation__memberships__"
    qs = Message.objects.filter(
        Q(**{f"{mine}account": viewer})
        & Q(id__gt=F(f"{mine}visible_from_id"))
        & Q(id__gt=F(f"{mine}cleared_before_id"))
        & (Q(**{f"{mine}visible_until_id__isnull": True}) | Q(id__lte=F(f"{mine}visible_until_id")))
    ).exclude(id__in=HiddenMessage.objects.filter(account=viewer).values("message_id"))
    return cast(MessageQuerySet, qs)


def in_window(membership: Membership, message_id: int) -> bool:
    return (
        message_id > membership.visible_from_id
        and message_id > membership.cleared_before_id
        and (membership.visible_until_id is None or message_id <= membership.visible_until_id)
    )


def access_message(viewer: Account, message_id: Any, *, lock: bool = False) -> tuple[Membership, Message]:
    """A message ``viewer`` may see and their membership of its conversation; ``NotFound`` otherwise."""
    qs = Message.objects.filter(id=parse_id(message_id, NO_MESSAGE))
    if lock:
        qs = qs.select_for_update()
    message = qs.first()
    if message is None:
        raise NotFound(NO_MESSAGE)
    membership = (
        Membership.objects.select_related("conversation")
        .filter(conversation_id=message.conversation_id, account=viewer)
        .first()
    )
    if (
        membership is None
        or not in_window(membership, message.id)
        or HiddenMessage.objects.filter(account=viewer, message=message).exists()
    ):
        raise NotFound(NO_MESSAGE)
    return membership, message


def readers_of(message: Message) -> QuerySet[Membership]:
    """The memberships whose window holds ``message`` and who have not deleted it for themselves: the
    people who hear of it and of every change to it."""
    return (
        Membership.objects.filter(conversation_id=message.conversation_id, visible_from_id__lt=message.pk)
        .filter(Q(visible_until_id__isnull=True) | Q(visible_until_id__gte=message.pk))
        .exclude(cleared_before_id__gte=message.pk)
        .exclude(account__in=HiddenMessage.objects.filter(message_id=message.pk).values("account_id"))
    )
