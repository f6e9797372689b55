"""Sending, editing, unsending and deleting messages, and reacting to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from spool.core.errors import Forbidden, ValidationError
from spool.core.events import publish
from spool.core.ratelimit import Limit, hit
from spool.core.text import unique_links
from spool.identities.models import Account
from spool.media.images import ProcessedImage, process_post_image
from spool.messaging import spam
from spool.messaging.access import access_membership, access_message
from spool.messaging.events import MessageEdited, MessageReacted, MessageSent, MessageUnsent
from spool.messaging.models import (
    REACTIONS,
    Change,
    Conversation,
    HiddenMessage,
    Membership,
    Message,
    Reaction,
)
from spool.messaging.rules import REQUEST_LIMIT, blocked_between, cannot_message, check_can_message
from spool.messaging.services._common import (
    check_actor,
    check_message_text,
    message_changed,
    recorded,
    require_member,
)
from spool.posts.access import access_post
from spool.posts.models import Post
from spool.posts.services.cards import card_for_links
from spool.posts.services.erasure import delete_files_after_commit
from spool.posts.services.validation import check_alt_text

EDIT_WINDOW = timedelta(minutes=15)
# A flood guard per sender, far above what a person types.
SEND_LIMIT = Limit("messages", 600, timedelta(hours=1))


@dataclass
class Content:
    """A message's validated content, ready to store."""

    text: str
    image: ProcessedImage | None = None
    image_alt: str = ""
    shared_post: Post | None = None

    @property
    def has_link_or_media(self) -> bool:
        return bool(self.image or self.shared_post or unique_links(self.text))


def check_content(
    sender: Account, text: Any = "", image: Any = None, image_alt: Any = "", shared_post_id: Any = None
) -> Content:
    """Validate a message before anything is written: text (trimmed, ≤ 10,000), an image (validated and
    re-encoded like post images) with alt text (≤ 1,000), a post the sender may see. Something must be
    sent."""
    content = Content(text=check_message_text(text), image_alt=check_alt_text(image_alt))
    if image is not None:
        content.image = process_post_image(image, field="image")
    elif content.image_alt:
        raise ValidationError("Alt text needs an image.", code="alt_without_image", field="image_alt")
    if shared_post_id not in (None, ""):
        content.shared_post = access_post(sender, shared_post_id)
    if not content.text and content.image is None and content.shared_post is None:
        raise ValidationError("Write a message, add an image or share a post.", code="empty", field="text")
    return content


def send_message(sender: Account, conversation_id: Any, **fields: Any) -> Message:
    """Send a message to a conversation ``sender`` is in. ``fields``: ``text``, ``image`` (an upload),
    ``image_alt``, ``shared_post_id``.

    Refuses (no change): a conversation the sender is not in (``NotFound``), one they left or were removed
    from, a one-to-one conversation across a block (``Forbidden``), links, images and shared posts while the
    other person has not accepted the request (``ValidationError`` ``request_no_media``). In a one-to-one
    conversation the other person declined, sending again re-applies the messaging rules (a new request).
    Replying to a request accepts it. Publishes ``MessageSent`` after commit."""
    check_actor(sender)
    content = check_content(sender, **fields)
    with transaction.atomic():
        membership = access_membership(sender, conversation_id, lock=True)
        return deliver(membership, content)


def deliver(membership: Membership, content: Content) -> Message:
    """Store ``content`` from ``membership``'s account (inside the caller's transaction, the membership
    locked) after the conversation's rules."""
    sender = membership.account
    conversation = membership.conversation
    if conversation.kind == Conversation.Kind.DIRECT:
        _direct_rules(membership, content)
    else:
        require_member(membership)
    hit(SEND_LIMIT, sender.pk)
    return store_message(membership, content)


def store_message(membership: Membership, content: Content) -> Message:
    """Write the message and its bookkeeping (the conversation's newest ID, the sender's read position,
    archived copies back to Primary) and publish ``MessageSent``; no rule is checked here."""
    sender = membership.account
    conversation = membership.conversation
    message = Message(conversation=conversation, sender=sender, text=content.text)
    if content.image is not None:
        message.image = content.image.file
        message.image_width, message.image_height = content.image.width, content.image.height
        message.image_alt = content.image_alt
    message.shared_post = content.shared_post
    message.card = card_for_links(
        unique_links(content.text), has_media=bool(content.image or content.shared_post)
    )
    message.save()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_id=Greatest(F("last_message_id"), message.pk)
    )
    # The sender has read their own message; an archived conversation comes back to the inbox.
    Membership.objects.filter(pk=membership.pk).update(
        last_read_message_id=Greatest(F("last_read_message_id"), message.pk)
    )
    Membership.objects.filter(conversation=conversation, folder=Membership.Folder.ARCHIVED).exclude(
        state=Membership.State.LEFT
    ).update(folder=Membership.Folder.PRIMARY)
    members, seqs = recorded(Change.Kind.NEW, conversation.pk, message_id=message.pk)
    publish(
        MessageSent(
            conversation_id=conversation.pk,
            message_id=message.pk,
            sender_id=sender.pk,
            audience=members,
            seqs=seqs,
        )
    )
    return message


def _direct_rules(membership: Membership, content: Content) -> None:
    sender = membership.account
    other = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("account", "account__user")
        .filter(conversation_id=membership.conversation_id)
        .exclude(pk=membership.pk)
        .get()
    )
    if blocked_between(sender, other.account_id) or not other.account.is_active:
        raise cannot_message(other.account)
    if other.state == Membership.State.LEFT:
        # They declined (or left): writing again is a new request, under the same rules as a first one.
        verdict = check_can_message(sender, other.account)
        if content.has_link_or_media and verdict.request:
            raise no_media_in_requests(other.account)
        open_for(other, sender, content, request=verdict.request)
    if other.state in (Membership.State.REQUEST, Membership.State.SPAM) and content.has_link_or_media:
        raise no_media_in_requests(other.account)
    if membership.state == Membership.State.LEFT:
        membership.state, membership.folder, membership.visible_until_id = (
            Membership.State.ACTIVE,
            Membership.Folder.PRIMARY,
            None,
        )
        membership.save(update_fields=["state", "folder", "visible_until_id"])
    elif membership.state in (Membership.State.REQUEST, Membership.State.SPAM):
        # Replying to a request accepts it.
        membership.state, membership.folder = Membership.State.ACTIVE, Membership.Folder.PRIMARY
        membership.save(update_fields=["state", "folder"])


def open_for(recipient: Membership, sender: Account, content: Content, *, request: bool) -> None:
    """Make ``recipient``'s membership receive again: accepted, a request, or a hidden request."""
    if not request:
        recipient.state, recipient.folder = Membership.State.ACTIVE, Membership.Folder.PRIMARY
    else:
        hit(REQUEST_LIMIT, sender.pk)
        hidden = spam.looks_like_spam(sender, content.text)
        recipient.state = Membership.State.SPAM if hidden else Membership.State.REQUEST
        recipient.folder = Membership.Folder.HIDDEN if hidden else Membership.Folder.REQUESTS
    recipient.visible_until_id = None
    recipient.save(update_fields=["state", "folder", "visible_until_id"])


def no_media_in_requests(recipient: Account) -> ValidationError:
    return ValidationError(
        f"Links, images and shared posts can be sent once @{recipient.handle} accepts your message request.",
        code="request_no_media",
        field="text",
    )


def edit_message(editor: Account, message_id: Any, text: Any) -> Message:
    """Change the text of one's own message within 15 minutes of sending it (marked edited). The same text
    rules as sending; links stay disabled while the other person has not accepted. Publishes
    ``MessageEdited``."""
    check_actor(editor)
    text = check_message_text(text)
    with transaction.atomic():
        membership, message = access_message(editor, message_id, lock=True)
        require_member(membership)
        if message.sender_id != editor.pk or message.kind != Message.Kind.TEXT or message.unsent:
            raise Forbidden("You can only edit your own messages.", code="not_yours")
        if message.removed:
            raise Forbidden("Moderators removed this message.", code="removed")
        if timezone.now() - message.created_at > EDIT_WINDOW:
            raise Forbidden("Messages can be edited for 15 minutes after sending.", code="edit_window_over")
        if not text and not message.image and message.shared_post_id is None:
            raise ValidationError("A message can't be edited to nothing.", code="empty", field="text")
        if unique_links(text) and _waiting_on_request(membership):
            raise ValidationError(
                "Links can be sent once your message request is accepted.",
                code="request_no_media",
                field="text",
            )
        message.text = text
        message.edited_at = timezone.now()
        message.card = card_for_links(
            unique_links(text), has_media=bool(message.image or message.shared_post_id)
        )
        message.save(update_fields=["text", "edited_at", "card"])
        readers, seqs = message_changed(message)
        publish(
            MessageEdited(
                conversation_id=message.conversation_id, message_id=message.pk, audience=readers, seqs=seqs
            )
        )
    return message


def _waiting_on_request(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            conversation_id=membership.conversation_id,
            state__in=(Membership.State.REQUEST, Membership.State.SPAM),
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def unsend_message(sender: Account, message_id: Any) -> Message:
    """Remove one's own message for everyone: its text, image, preview, shared post and reactions go; a
    placeholder "unsent" stays in place. Idempotent. Publishes ``MessageUnsent``."""
    check_actor(sender)
    with transaction.atomic():
        _, message = access_message(sender, message_id, lock=True)
        if message.sender_id != sender.pk or message.kind != Message.Kind.TEXT:
            raise Forbidden("You can only unsend your own messages.", code="not_yours")
        if message.unsent:
            return message
        if message.image:
            delete_files_after_commit([message.image.name])
        message.text, message.image, message.image_alt, message.card, message.shared_post = (
            "",
            None,
            "",
            None,
            None,
        )
        message.unsent_at = timezone.now()
        message.save(update_fields=["text", "image", "image_alt", "card", "shared_post", "unsent_at"])
        Reaction.objects.filter(message=message).delete()
        readers, seqs = message_changed(message)
        publish(
            MessageUnsent(
                conversation_id=message.conversation_id, message_id=message.pk, audience=readers, seqs=seqs
            )
        )
    return message


def delete_for_me(account: Account, message_id: Any) -> None:
    """Hide a message from one's own view of the conversation (others still see it). Idempotent."""
    check_actor(account)
    with transaction.atomic():
        _, message = access_message(account, message_id)
        HiddenMessage.objects.get_or_create(account=account, message=message)


def react(account: Account, message_id: Any, emoji: Any) -> Reaction | None:
    """Set one's reaction to a message to one of the preset emoji, replacing any earlier one; an empty
    ``emoji`` removes it. Not on system lines or unsent messages, not after leaving, not across a block in a
    one-to-one conversation. Publishes ``MessageReacted`` when something changed."""
    check_actor(account)
    if emoji is None:
        emoji = ""
    if not isinstance(emoji, str) or (emoji and emoji not in REACTIONS):
        raise ValidationError(f"Pick one of {' '.join(REACTIONS)}.", code="invalid_reaction", field="emoji")
    with transaction.atomic():
        membership, message = access_message(account, message_id, lock=True)
        require_member(membership)
        if message.kind != Message.Kind.TEXT or message.unsent or message.removed:
            raise ValidationError("This message can't be reacted to.", code="not_reactable")
        if (
            not membership.conversation.is_group
            and message.sender_id
            and message.sender_id != account.pk
            and blocked_between(account, message.sender_id)
        ):
            raise Forbidden("You can't react to this message.", code="cannot_message")
        current = Reaction.objects.filter(message=message, account=account).first()
        if (current.emoji if current else "") == emoji:
            return current
        if not emoji:
            current.delete()  # type: ignore[union-attr]
            current = None
        elif current is None:
            current = Reaction.objects.create(message=message, account=account, emoji=emoji)
        else:
            current.emoji = emoji
            current.save(update_fields=["emoji"])
        readers, seqs = message_changed(message)
        publish(
            MessageReacted(
                conversation_id=message.conversation_id,
                message_id=message.pk,
                account_id=account.pk,
                emoji=emoji,
                audience=readers,
                seqs=seqs,
            )
        )
    return current
