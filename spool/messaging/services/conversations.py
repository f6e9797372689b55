"""Starting conversations, and groups: creating, naming, adding and removing members, leaving."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from spool.core.errors import NotFound, ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.messaging.access import access_membership
from spool.messaging.changes import record
from spool.messaging.events import MembershipChanged, MessageSent
from spool.messaging.models import (
    MAX_GROUP_MEMBERS,
    MAX_GROUP_NAME,
    Change,
    Conversation,
    Membership,
    Message,
)
from spool.messaging.rules import check_can_add, check_can_message
from spool.messaging.services._common import check_actor, recorded, require_admin
from spool.messaging.services.messages import check_content, deliver, no_media_in_requests, open_for
from spool.posts.services.validation import check_plain


def pair_key(a_id: int, b_id: int) -> str:
    low, high = sorted((int(a_id), int(b_id)))
    return f"{low}:{high}"


def start_conversation(sender: Account, recipient: Account, **fields: Any) -> Message:
    """Send a first message to ``recipient`` (``fields`` as for ``send_message``), in the one-to-one
    conversation of the pair — created on first use, reused afterwards. A new conversation follows the
    messaging rules (:mod:`spool.messaging.rules`): refused, accepted, or a request (counted against the
    sender's daily cap, hidden when it looks like spam; links, images and shared posts refused until
    accepted)."""
    check_actor(sender)
    content = check_content(sender, **fields)
    with transaction.atomic():
        conversation = Conversation.objects.filter(pair_key=pair_key(sender.pk, recipient.pk)).first()
        if conversation is None:
            verdict = check_can_message(sender, recipient)
            if verdict.request and content.has_link_or_media:
                raise no_media_in_requests(recipient)
            conversation = _create_direct(sender, recipient)
            if conversation is not None:
                recipient_membership = Membership.objects.get(conversation=conversation, account=recipient)
                open_for(recipient_membership, sender, content, request=verdict.request)
            else:  # both wrote first at the same moment: the other transaction's conversation is the one
                conversation = Conversation.objects.get(pair_key=pair_key(sender.pk, recipient.pk))
        membership = access_membership(sender, conversation.pk, lock=True)
        return deliver(membership, content)


def direct_conversation(a: Account, b: Account) -> Conversation:
    """The one-to-one conversation of ``a`` and ``b``, created (both members accepted, ``a`` its creator)
    when there is none yet. Inside the caller's transaction."""
    existing = Conversation.objects.filter(pair_key=pair_key(a.pk, b.pk)).first()
    if existing is not None:
        return existing
    return _create_direct(a, b) or Conversation.objects.get(pair_key=pair_key(a.pk, b.pk))


def _create_direct(sender: Account, recipient: Account) -> Conversation | None:
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT, pair_key=pair_key(sender.pk, recipient.pk), created_by=sender
            )
    except IntegrityError:
        return None
    Membership.objects.bulk_create(
        [
            Membership(conversation=conversation, account=sender),
            Membership(conversation=conversation, account=recipient),
        ]
    )
    return conversation


def check_group_name(name: Any) -> str:
    name = check_plain(name, field="name", what="group name").strip()
    if len(name) > MAX_GROUP_NAME:
        raise ValidationError(
            f"A group name can be at most {MAX_GROUP_NAME} characters long.",
            code="name_too_long",
            field="name",
        )
    return name


def _accounts(ids: Iterable[Any]) -> list[Account]:
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise ValidationError("Member IDs must be numbers.", code="invalid", field="member_ids") from None
    found = {a.pk: a for a in Account.objects.select_related("user").filter(pk__in=wanted, is_active=True)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No account {missing[0]}.", field="member_ids")
    return [found[i] for i in wanted]


def create_group(creator: Account, name: Any, member_ids: Iterable[Any]) -> Conversation:
    """A named group of ``creator`` (its admin) and the given people: 1 to 49 others, each of whom follows
    the creator (only people who follow you can add you). A system line records its creation."""
    check_actor(creator)
    name = check_group_name(name)
    if isinstance(member_ids, (str, bytes)) or not isinstance(member_ids, Iterable):
        raise ValidationError("member_ids must be a list.", code="invalid", field="member_ids")
    members = [a for a in _accounts(member_ids) if a.pk != creator.pk]
    if not members:
        raise ValidationError("Add at least one person to the group.", code="no_members", field="member_ids")
    if len(members) + 1 > MAX_GROUP_MEMBERS:
        raise ValidationError(
            f"A group can have at most {MAX_GROUP_MEMBERS} members.", code="group_full", field="member_ids"
        )
    for person in members:
        check_can_add(creator, person)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, name=name, created_by=creator
        )
        Membership.objects.bulk_create(
            [Membership(conversation=conversation, account=creator, role=Membership.Role.ADMIN)]
            + [Membership(conversation=conversation, account=person) for person in members]
        )
        system_line(conversation, creator, Message.Event.CREATED)
    return conversation


def system_line(
    conversation: Conversation, actor: Account, event: str, subject: Account | None = None
) -> Message:
    """A line such as "ana added bob" in the conversation (inside the caller's transaction)."""
    message = Message.objects.create(
        conversation=conversation, sender=actor, kind=Message.Kind.SYSTEM, event=event, subject=subject
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_id=Greatest(F("last_message_id"), message.pk)
    )
    Membership.objects.filter(conversation=conversation, account=actor).update(
        last_read_message_id=Greatest(F("last_read_message_id"), message.pk)
    )
    members, seqs = recorded(Change.Kind.NEW, conversation.pk, message_id=message.pk)
    publish(
        MessageSent(
            conversation_id=conversation.pk,
            message_id=message.pk,
            sender_id=actor.pk,
            audience=members,
            seqs=seqs,
        )
    )
    _, seqs = recorded(Change.Kind.CHANGED, conversation.pk)
    publish(MembershipChanged(conversation_id=conversation.pk, audience=members, seqs=seqs))
    return message


def add_members(admin: Account, conversation_id: Any, member_ids: Iterable[Any]) -> list[Account]:
    """Add people to a group (admins only; each must follow the admin; at most 50 members). People who
    left or were removed can be added back. They see messages from the moment they join. Returns who was
    added (people already in are skipped)."""
    check_actor(admin)
    if isinstance(member_ids, (str, bytes)) or not isinstance(member_ids, Iterable):
        raise ValidationError("member_ids must be a list.", code="invalid", field="member_ids")
    people = _accounts(member_ids)
    with transaction.atomic():
        membership = access_membership(admin, conversation_id, lock=True)
        require_admin(membership)
        conversation = Conversation.objects.select_for_update().get(pk=membership.conversation_id)
        existing = {m.account_id: m for m in Membership.objects.filter(conversation=conversation)}
        new = [p for p in people if p.pk not in existing or existing[p.pk].state == Membership.State.LEFT]
        for person in new:
            check_can_add(admin, person)
        active = sum(1 for m in existing.values() if m.state != Membership.State.LEFT)
        if active + len(new) > MAX_GROUP_MEMBERS:
            raise ValidationError(
                f"A group can have at most {MAX_GROUP_MEMBERS} members.",
                code="group_full",
                field="member_ids",
            )
        for person in new:
            line = system_line(conversation, admin, Message.Event.ADDED, person)
            # The "added" line is the first message the new member sees.
            Membership.objects.update_or_create(
                conversation=conversation,
                account=person,
                defaults={
                    "state": Membership.State.ACTIVE,
                    "role": Membership.Role.MEMBER,
                    "folder": Membership.Folder.PRIMARY,
                    "visible_from_id": line.pk - 1,
                    "visible_until_id": None,
                    "cleared_before_id": 0,
                    "last_read_message_id": 0,
                    "removed_by": None,
                },
            )
            # The line was numbered for the members before; the new member hears of it too.
            seqs = record(Change.Kind.NEW, conversation.pk, [person.pk], message_id=line.pk)
            publish(
                MessageSent(
                    conversation_id=conversation.pk,
                    message_id=line.pk,
                    sender_id=admin.pk,
                    audience=(person.pk,),
                    seqs=seqs,
                )
            )
    return new


def remove_member(admin: Account, conversation_id: Any, account_id: Any) -> None:
    """Remove someone from a group (admins only). They keep the messages from before, read-only."""
    check_actor(admin)
    with transaction.atomic():
        membership = access_membership(admin, conversation_id, lock=True)
        require_admin(membership)
        try:
            target_id = int(account_id)
        except (TypeError, ValueError):
            raise NotFound("No such member.") from None
        target = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(conversation_id=membership.conversation_id, account_id=target_id)
            .exclude(state=Membership.State.LEFT)
            .first()
        )
        if target is None:
            raise NotFound("No such member.")
        if target.pk == membership.pk:
            raise ValidationError("To leave the group, use leave.", code="cannot_remove_self")
        line = system_line(membership.conversation, admin, Message.Event.REMOVED, target.account)
        _leave(target, line, removed_by=admin)


def leave_conversation(account: Account, conversation_id: Any) -> None:
    """Leave a group (a system line says so; an admin who was the last one hands the role to the longest
    standing member). Idempotent."""
    check_actor(account)
    with transaction.atomic():
        membership = access_membership(account, conversation_id, lock=True)
        if not membership.conversation.is_group:
            raise ValidationError("One-to-one conversations can be deleted, not left.", code="not_a_group")
        if membership.state == Membership.State.LEFT:
            return
        line = system_line(membership.conversation, account, Message.Event.LEFT)
        _leave(membership, line, removed_by=None)
        if membership.role == Membership.Role.ADMIN:
            remaining = Membership.objects.filter(conversation_id=membership.conversation_id).exclude(
                state=Membership.State.LEFT
            )
            if not remaining.filter(role=Membership.Role.ADMIN).exists():
                heir = remaining.order_by("joined_at", "id").first()
                if heir is not None:
                    heir.role = Membership.Role.ADMIN
                    heir.save(update_fields=["role"])


def _leave(membership: Membership, line: Message, *, removed_by: Account | None) -> None:
    membership.state = Membership.State.LEFT
    membership.visible_until_id = line.pk
    membership.removed_by = removed_by
    membership.save(update_fields=["state", "visible_until_id", "removed_by"])


def rename_group(admin: Account, conversation_id: Any, name: Any) -> Conversation:
    """Rename a group (admins only); a system line records it."""
    check_actor(admin)
    name = check_group_name(name)
    with transaction.atomic():
        membership = access_membership(admin, conversation_id, lock=True)
        require_admin(membership)
        conversation = membership.conversation
        conversation.name = name
        conversation.save(update_fields=["name"])
        system_line(conversation, admin, Message.Event.RENAMED)
    return conversation
