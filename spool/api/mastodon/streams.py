"""Mastodon's streams: which groups each stream listens to, who may open it, and how a layer message becomes
the event one viewer receives.

A stream is named as Mastodon names it (``user``, ``public:local``, ``hashtag``, …); a subscription is the
stream with its parameter (``["hashtag", "cats"]``, ``["list", "42"]``), the ``stream`` array of every
event frame. Public streams need no token; the others need a person's token holding ``read`` or
``read:statuses`` (``read:notifications`` for ``user:notification``), as Mastodon's streaming server asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from django.db.models import Q

from spool.api.mastodon.conversations import FOLDERS, render_conversations
from spool.api.mastodon.filters import render_screened
from spool.api.mastodon.notifications import render_notifications
from spool.core.errors import NotFound
from spool.feeds.lists import access_list, exclusive_member_ids
from spool.identities.models import Account, Block, Mute
from spool.messaging import reads as messaging_reads
from spool.notifications.services import visible_notifications
from spool.oauth.services import Bearer
from spool.posts.models import Post, Repost
from spool.realtime.auth import token_grants
from spool.realtime.groups import (
    direct_group,
    hashtag_group,
    home_group,
    list_group,
    notifications_group,
    public_group,
)

# Stream name → (locality, media only).
PUBLIC_STREAMS: dict[str, tuple[Any, bool]] = {
    "public": ("all", False),
    "public:media": ("all", True),
    "public:local": ("local", False),
    "public:local:media": ("local", True),
    "public:remote": ("remote", False),
    "public:remote:media": ("remote", True),
}
HASHTAG_STREAMS = ("hashtag", "hashtag:local")
PERSONAL_STREAMS = ("user", "user:notification", "direct", "list")
STREAMS = (*PUBLIC_STREAMS, *HASHTAG_STREAMS, *PERSONAL_STREAMS)
MAX_TAG_LENGTH = 100


class StreamError(Exception):
    """A stream that cannot be opened; ``status`` as Mastodon's streaming server answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status}


@dataclass(frozen=True)
class Subscription:
    stream: tuple[str, ...]  # the ``stream`` of each event frame
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Listener:
    """Who holds the connection: a person's token, an app token (no account) or nobody."""

    token: Bearer | None

    @property
    def account(self) -> Account | None:
        return self.token.account if self.token is not None else None


def _check_scope(listener: Listener, name: str) -> None:
    if listener.token is None:
        raise StreamError(401, "Missing access token")
    wanted = "read:notifications" if name == "user:notification" else "read:statuses"
    if not token_grants(listener.token, "read", wanted):
        raise StreamError(401, "Access token does not have the required scopes")


def _param(params: dict[str, Any], key: str, stream: str) -> str:
    value = params.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise StreamError(400, f"No {key} for stream provided")
    text = str(value).strip()
    if len(text) > MAX_TAG_LENGTH:
        raise StreamError(400, f"The {key} of stream {stream} is too long")
    return text


def resolve(name: Any, params: dict[str, Any], listener: Listener) -> Subscription:
    """The subscription for stream ``name`` with ``params`` (``tag``, ``list``), or :class:`StreamError`.
    Synchronous: may read the database."""
    if not isinstance(name, str) or name not in STREAMS:
        raise StreamError(400, "Unknown stream type")
    if listener.token is not None or name in PERSONAL_STREAMS:
        _check_scope(listener, name)
    if name in PUBLIC_STREAMS:
        locality, media = PUBLIC_STREAMS[name]
        return Subscription((name,), (public_group(locality, media=media),))
    if name in HASHTAG_STREAMS:
        tag = _param(params, "tag", name)
        return Subscription((name, tag), (hashtag_group(tag, local=name == "hashtag:local"),))
    account = listener.account
    if account is None:
        raise StreamError(401, "This stream requires an authenticated user")
    if name == "user":
        return Subscription((name,), (home_group(account.id), notifications_group(account.id)))
    if name == "user:notification":
        return Subscription((name,), (notifications_group(account.id),))
    if name == "direct":
        return Subscription((name,), (direct_group(account.id),))
    list_id = _param(params, "list", name)
    try:
        owned = access_list(account, list_id)
    except NotFound:
        raise StreamError(404, "List not found") from None
    return Subscription((name, list_id), (list_group(owned.id),))


def stream_from_path(path_stream: str, params: dict[str, Any]) -> str:
    """The stream an SSE path names (``/api/v1/streaming/public/local?only_media=true`` →
    ``public:local:media``)."""
    if path_stream.startswith("public") and str(params.get("only_media", "")).lower() in ("1", "true"):
        return f"{path_stream}:media"
    return path_stream


def payload_text(payload: Any) -> str:
    """A frame's ``payload``: strings (a deleted status's ID) as they are, anything else as JSON text."""
    return payload if isinstance(payload, str) else orjson.dumps(payload).decode()


def _hides_reposter(viewer: Account | None, reposter_id: int) -> bool:
    """A repost is not shown by someone the viewer blocked, muted, or is blocked by."""
    if viewer is None:
        return False
    blocked = Block.objects.filter(
        Q(blocker_id=viewer.id, blocked_id=reposter_id) | Q(blocker_id=reposter_id, blocked_id=viewer.id)
    )
    return blocked.exists() or Mute.objects.filter(muter_id=viewer.id, muted_id=reposter_id).exists()


def status_event(viewer: Account | None, message: dict[str, Any]) -> tuple[str, str] | None:
    """``(event, Status JSON)`` of a ``realtime.status`` message as ``viewer`` would see it in a feed, or
    ``None`` if they may not: the post must pass ``visible_to`` (blocks, privacy, hidden replies, …) and
    not be by someone they muted; a repost must come from someone they neither blocked nor muted; in their
    home feed, members of their exclusive lists stay out (as in the home timeline); a keyword filter that
    hides it in that context holds it back, one that warns is listed in ``filtered``."""
    posts = Post.objects.visible_to(viewer).in_feeds_of(viewer).for_cards().filter(id=message["post_id"])
    if viewer is not None and message.get("group") == home_group(viewer.id):
        posts = posts.exclude(author_id__in=exclusive_member_ids(viewer))
    post = posts.first()
    if post is None:
        return None
    item: Post | Repost = post
    if message.get("repost_id") is not None:
        repost = Repost.objects.select_related("account").filter(id=message["repost_id"]).first()
        if repost is None or not repost.account.is_active or _hides_reposter(viewer, repost.account_id):
            return None
        repost.post = post
        item = repost
    screened = render_screened(viewer, [item], _filter_context(viewer, message.get("group", "")))
    if not screened:  # a filter of theirs hides it
        return None
    return message["event"], orjson.dumps(screened[0]).decode()


def _filter_context(viewer: Account | None, group: str) -> str:
    """The keyword-filter context of the stream a message came through, as the matching timeline uses."""
    if viewer is not None and group == home_group(viewer.id):
        return "home"
    return "home" if group.startswith("list.") else "public"


def notification_event(viewer: Account | None, message: dict[str, Any]) -> tuple[str, str] | None:
    """``("notification", Notification JSON)`` as ``GET /api/v1/notifications`` renders it, if the recipient
    may still see it (and no filter of theirs hides its status), else ``None``."""
    if viewer is None:
        return None
    rows = list(
        visible_notifications(viewer)
        .filter(id=message["notification_id"])
        .select_related("actor", "post", "post__author", "post__topic", "post__card")
    )
    rendered = render_notifications(viewer, rows) if rows else []
    if not rendered:
        return None
    return "notification", orjson.dumps(rendered[0]).decode()


def conversation_event(viewer: Account | None, message: dict[str, Any]) -> tuple[str, str] | None:
    """``("conversation", Conversation JSON)`` for a member who lists the conversation (message requests
    and hidden ones stay out, as in ``GET /api/v1/conversations``), else ``None``."""
    if viewer is None:
        return None
    rows = list(messaging_reads.listed(viewer, FOLDERS).filter(conversation_id=message["conversation_id"]))
    if not rows:
        return None
    conversation = render_conversations(viewer, messaging_reads.cards_for(viewer, rows))[0]
    return "conversation", orjson.dumps(conversation).decode()
