"""Batched read models of messages and conversations: plain data for every front door (JSON API, pages,
WebSocket). A page of messages costs a fixed number of queries whatever it holds: the messages with their
senders and previews, their reactions, and which shared posts the viewer may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spool.identities.models import Account
from spool.messaging.access import visible_messages
from spool.messaging.models import REACTIONS, Membership, Message, Reaction
from spool.posts.models import LinkCard, Post


@dataclass
class Person:
    id: int
    handle: str
    display_name: str
    avatar_url: str | None

    @classmethod
    def of(cls, account: Account) -> Person:
        return cls(account.pk, account.handle, account.name, account.avatar.url if account.avatar else None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "handle": self.handle,
            "display_name": self.display_name,
            "avatar_url": self.avatar_url,
        }


@dataclass
class MessageCard:
    id: int
    conversation_id: int
    kind: str
    sender: Person | None
    text: str
    created_at: datetime
    event: str = ""
    subject: Person | None = None
    image: dict[str, Any] | None = None
    link: dict[str, Any] | None = None
    shared_post: dict[str, Any] | None = None
    edited_at: datetime | None = None
    unsent: bool = False
    removed: bool = False  # by moderators: nothing of it is shown
    reactions: list[tuple[int, str]] = field(default_factory=list)  # (account id, emoji)

    def reaction_counts(self) -> dict[str, int]:
        counts = Counter(emoji for _, emoji in self.reactions)
        return {emoji: counts[emoji] for emoji in REACTIONS if counts[emoji]}

    def reaction_of(self, account_id: int) -> str | None:
        return next((emoji for who, emoji in self.reactions if who == account_id), None)

    def system_text(self) -> str:
        who = self.sender.display_name if self.sender else "Someone"
        whom = self.subject.display_name if self.subject else "someone"
        lines: dict[str, str] = {
            Message.Event.CREATED: f"{who} created the group",
            Message.Event.JOINED: f"{who} joined",
            Message.Event.ADDED: f"{who} added {whom}",
            Message.Event.REMOVED: f"{who} removed {whom}",
            Message.Event.LEFT: f"{who} left",
            Message.Event.RENAMED: f"{who} renamed the group",
        }
        return lines.get(self.event, "")

    def as_dict(self, viewer_id: int | None = None) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "conversation_id": str(self.conversation_id),
            "kind": self.kind,
            "event": self.event or None,
            "system_text": self.system_text() if self.kind == Message.Kind.SYSTEM else None,
            "sender": self.sender.as_dict() if self.sender else None,
            "subject": self.subject.as_dict() if self.subject else None,
            "text": self.text,
            "image": self.image,
            "link": self.link,
            "shared_post": self.shared_post,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
            "unsent": self.unsent,
            "removed": self.removed,
            "reactions": [{"account_id": str(who), "emoji": emoji} for who, emoji in self.reactions],
            "reaction_counts": self.reaction_counts(),
            "my_reaction": self.reaction_of(viewer_id) if viewer_id is not None else None,
        }


def _link(card: LinkCard | None) -> dict[str, Any] | None:
    if card is None or card.state != LinkCard.State.READY:
        return None
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "image_url": card.image_url or None,
        "site_name": card.site_name,
    }


def _shared(post: Post | None, visible: set[int]) -> dict[str, Any] | None:
    if post is None:
        return None
    if post.pk not in visible:
        return {"id": None, "available": False}
    handle = post.author.handle
    return {
        "id": str(post.pk),
        "available": True,
        "author_handle": handle,
        "text": post.text,
        "url": f"/@{handle}/post/{post.pk}",
    }


def message_cards(viewer: Account | None, messages: Iterable[Message]) -> list[MessageCard]:
    """Cards for ``messages`` (loaded with ``for_cards``) as ``viewer`` sees them. Two queries: reactions,
    and which shared posts ``viewer`` may see."""
    rows = list(messages)
    ids = [m.pk for m in rows]
    reactions: dict[int, list[tuple[int, str]]] = {}
    if ids:
        for message_id, account_id, emoji in (
            Reaction.objects.filter(message_id__in=ids)
            .order_by("id")
            .values_list("message_id", "account_id", "emoji")
        ):
            reactions.setdefault(message_id, []).append((account_id, emoji))
    post_ids = [m.shared_post_id for m in rows if m.shared_post_id]
    visible = (
        set(Post.objects.visible_to(viewer).filter(pk__in=post_ids).values_list("pk", flat=True))
        if post_ids
        else set()
    )
    cards = []
    for m in rows:
        cards.append(
            MessageCard(
                id=m.pk,
                conversation_id=m.conversation_id,
                kind=m.kind,
                sender=Person.of(m.sender) if m.sender else None,
                subject=Person.of(m.subject) if m.subject else None,
                event=m.event,
                text="" if m.removed else m.text,
                created_at=m.created_at,
                image={
                    "url": m.image.url,
                    "alt_text": m.image_alt,
                    "width": m.image_width,
                    "height": m.image_height,
                }
                if m.image and not m.removed
                else None,
                link=None if m.removed else _link(m.card),
                shared_post=None if m.removed else _shared(m.shared_post, visible),
                edited_at=m.edited_at,
                unsent=m.unsent,
                removed=m.removed,
                reactions=reactions.get(m.pk, []),
            )
        )
    return cards


@dataclass
class ConversationCard:
    id: int
    kind: str
    name: str
    members: list[Person]  # everyone still in it, the viewer included
    state: str
    role: str
    folder: str
    muted: bool
    unread_count: int
    last_read_message_id: int
    last_message: MessageCard | None
    read_positions: dict[int, int]  # other members' read positions (read receipts)
    can_send: bool

    def title(self, viewer_id: int) -> str:
        if self.name:
            return self.name
        others = [p.display_name for p in self.members if p.id != viewer_id]
        return ", ".join(others) or "Just you"

    def as_dict(self, viewer_id: int) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "name": self.name,
            "title": self.title(viewer_id),
            "members": [p.as_dict() for p in self.members],
            "state": self.state,
            "role": self.role,
            "folder": self.folder,
            "muted": self.muted,
            "unread_count": self.unread_count,
            "last_read_message_id": str(self.last_read_message_id),
            "read_positions": {str(k): str(v) for k, v in self.read_positions.items()},
            "last_message": self.last_message.as_dict(viewer_id) if self.last_message else None,
            "can_send": self.can_send,
        }


def conversation_cards(
    viewer: Account, memberships: list[Membership], unread: dict[int, int]
) -> list[ConversationCard]:
    """Cards for ``viewer``'s ``memberships`` (conversations loaded). Three queries: members, last messages,
    their reactions/shared posts (through ``message_cards``)."""
    conversation_ids = [m.conversation_id for m in memberships]
    members: dict[int, list[Person]] = {}
    positions: dict[int, dict[int, int]] = {}
    for other in (
        Membership.objects.filter(conversation_id__in=conversation_ids)
        .exclude(state=Membership.State.LEFT)
        .select_related("account")
        .order_by("joined_at", "id")
    ):
        members.setdefault(other.conversation_id, []).append(Person.of(other.account))
        if other.account_id != viewer.pk:
            positions.setdefault(other.conversation_id, {})[other.account_id] = other.last_read_message_id
    last_ids = []
    for m in memberships:
        last = m.conversation.last_message_id
        if m.visible_until_id is not None:
            last = min(last, m.visible_until_id)
        last_ids.append(last)
    lasts = {
        c.conversation_id: c
        for c in message_cards(viewer, visible_messages(viewer).for_cards().filter(pk__in=last_ids))
    }
    return [
        ConversationCard(
            id=m.conversation_id,
            kind=m.conversation.kind,
            name=m.conversation.name,
            members=members.get(m.conversation_id, []),
            state=m.state,
            role=m.role,
            folder=m.folder,
            muted=m.muted,
            unread_count=unread.get(m.conversation_id, 0),
            last_read_message_id=m.last_read_message_id,
            last_message=lasts.get(m.conversation_id),
            read_positions=positions.get(m.conversation_id, {}),
            can_send=m.can_send,
        )
        for m in memberships
    ]
