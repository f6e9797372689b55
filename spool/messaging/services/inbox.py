"""One's own side of conversations: requests (accept, decline, block), folders, mute, read position,
deleting a conversation for oneself, and the DM setting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.accounts.models import DirectMessagePolicy
from spool.core.errors import ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.identities.services import block_account
from spool.messaging.access import access_membership, parse_id
from spool.messaging.events import ConversationRead, MembershipChanged
from spool.messaging.models import Change, Conversation, Membership, Message
from spool.messaging.services._common import check_actor, recorded

_REQUEST_STATES = (Membership.State.REQUEST, Membership.State.SPAM)


def _request(account: Account, conversation_id: Any) -> Membership:
    membership = access_membership(account, conversation_id, lock=True)
    if membership.state not in _REQUEST_STATES:
        raise ValidationError("This conversation is not a message request.", code="not_a_request")
    return membership


def accept_request(account: Account, conversation_id: Any) -> Membership:
    """Accept a message request (from Requests or Hidden): it moves to Primary and links and media are
    allowed from then on."""
    check_actor(account)
    with transaction.atomic():
        membership = _request(account, conversation_id)
        membership.state, membership.folder = Membership.State.ACTIVE, Membership.Folder.PRIMARY
        membership.save(update_fields=["state", "folder"])
        members, seqs = recorded(Change.Kind.CHANGED, membership.conversation_id)
        publish(MembershipChanged(conversation_id=membership.conversation_id, audience=members, seqs=seqs))
    return membership


def decline_request(account: Account, conversation_id: Any) -> None:
    """Delete a message request: it leaves the inbox and its messages are cleared for the decliner. The
    sender is not told; if they write again it is a new request, under the same rules and daily cap."""
    check_actor(account)
    with transaction.atomic():
        membership = _request(account, conversation_id)
        _decline(membership)


def _decline(membership: Membership) -> None:
    conversation = Conversation.objects.get(pk=membership.conversation_id)
    membership.state = Membership.State.LEFT
    membership.folder = Membership.Folder.PRIMARY
    membership.cleared_before_id = conversation.last_message_id
    membership.last_read_message_id = conversation.last_message_id
    membership.visible_until_id = conversation.last_message_id
    membership.save(
        update_fields=["state", "folder", "cleared_before_id", "last_read_message_id", "visible_until_id"]
    )


def block_from_request(account: Account, conversation_id: Any) -> None:
    """Decline a request and block its sender (see ``identities.services.block_account``)."""
    check_actor(account)
    with transaction.atomic():
        membership = _request(account, conversation_id)
        sender = (
            Membership.objects.select_related("account")
            .filter(conversation_id=membership.conversation_id)
            .exclude(pk=membership.pk)
            .first()
        )
        _decline(membership)
        if sender is not None and not membership.conversation.is_group:
            block_account(account, sender.account)


def archive(account: Account, conversation_id: Any, archived: bool = True) -> Membership:
    """Move a conversation to Archived, or back to Primary. Requests are accepted or declined instead."""
    check_actor(account)
    with transaction.atomic():
        membership = access_membership(account, conversation_id, lock=True)
        if membership.state in _REQUEST_STATES:
            raise ValidationError("Accept or delete a request instead.", code="is_request")
        membership.folder = Membership.Folder.ARCHIVED if archived else Membership.Folder.PRIMARY
        membership.save(update_fields=["folder"])
    return membership


def set_muted(account: Account, conversation_id: Any, muted: bool) -> Membership:
    """Mute or unmute a conversation: a muted conversation raises no notifications (messages still arrive
    and count as unread)."""
    check_actor(account)
    if not isinstance(muted, bool):
        raise ValidationError("muted must be true or false.", code="invalid", field="muted")
    with transaction.atomic():
        membership = access_membership(account, conversation_id, lock=True)
        membership.muted = muted
        membership.save(update_fields=["muted"])
    return membership


def mark_read(account: Account, conversation_id: Any, up_to: Any = None) -> Membership:
    """Move one's read position forward to message ``up_to`` (the newest when omitted); it never moves
    back. Publishes ``ConversationRead`` (read receipts) when it moved."""
    check_actor(account)
    with transaction.atomic():
        membership = access_membership(account, conversation_id, lock=True)
        newest = membership.conversation.last_message_id
        if membership.visible_until_id is not None:
            newest = min(newest, membership.visible_until_id)
        target = newest
        if up_to not in (None, ""):
            target = parse_id(up_to, "No such message.")
            if (
                target > newest
                or not Message.objects.filter(pk=target, conversation_id=membership.conversation_id).exists()
            ):
                raise ValidationError(
                    "That message is not in this conversation.", code="invalid", field="message_id"
                )
        if target > membership.last_read_message_id:
            membership.last_read_message_id = target
            membership.save(update_fields=["last_read_message_id"])
            members, seqs = recorded(
                Change.Kind.READ, membership.conversation_id, message_id=target, actor_id=account.pk
            )
            publish(
                ConversationRead(
                    conversation_id=membership.conversation_id,
                    account_id=account.pk,
                    message_id=target,
                    audience=members,
                    seqs=seqs,
                )
            )
    return membership


def delete_conversation(account: Account, conversation_id: Any) -> None:
    """Delete a conversation for oneself: its messages so far are cleared from one's view and it leaves
    the inbox until a new message arrives. Others keep theirs. A pending request is declined."""
    check_actor(account)
    with transaction.atomic():
        membership = access_membership(account, conversation_id, lock=True)
        if membership.state in _REQUEST_STATES:
            _decline(membership)
            return
        last = membership.conversation.last_message_id
        membership.cleared_before_id = max(membership.cleared_before_id, last)
        membership.last_read_message_id = max(membership.last_read_message_id, last)
        membership.save(update_fields=["cleared_before_id", "last_read_message_id"])


def set_dm_policy(account: Account, policy: Any) -> str:
    """Who may start a conversation with ``account``: ``everyone``, ``following`` (people I follow) or
    ``nobody``. Conversations already accepted go on."""
    check_actor(account)
    if policy not in DirectMessagePolicy.values:
        raise ValidationError(
            "Choose everyone, following or nobody.", code="invalid_policy", field="dm_policy"
        )
    user = account.user
    assert user is not None
    user.dm_policy = policy
    user.save(update_fields=["dm_policy"])
    return policy


KEEP_CHANGES = timedelta(days=30)


def prune_changes(older_than: timedelta = KEEP_CHANGES) -> int:
    """Delete change-log rows older than ``older_than`` (a client away longer is told to reload instead of
    catching up); returns how many went. Idempotent; run daily by the beat schedule."""
    deleted, _ = Change.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
