"""``/api/spool/v1/posts/``: writing, reading and acting on posts, and the post lists (home, profile tabs,
topic, what's new).

Thin: each endpoint parses input, calls one service or read function from ``spool.posts`` and shapes the
``PostCard``s it gets back. IDs travel as strings (64-bit numbers do not survive JavaScript). Errors come
back as ``{"error", "code", "field"}`` with a 4xx status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from spool.api.common.auth import current_account
from spool.core.errors import Forbidden
from spool.core.pagination import page_before, parse_cursor
from spool.core.requests import signed_in_account
from spool.identities.access import access_account
from spool.identities.models import Account
from spool.posts import services, timelines
from spool.posts.access import access_post
from spool.posts.batch import CONTENT_WARNING, MediaCard, PostCard, build_card
from spool.posts.models import Like, Media, PostEdit
from spool.posts.rendering import render_post_text

router = Router(tags=["posts"])


# --- Schemas ----------------------------------------------------------------------------------------------


class PostAuthor(Schema):
    id: str
    handle: str
    display_name: str
    avatar_url: str | None
    is_verified: bool
    is_private: bool
    url: str


class TopicOut(Schema):
    name: str
    display: str
    url: str


class MediaOut(Schema):
    id: str
    url: str
    width: int
    height: int
    alt_text: str
    content_type: str


class StyleRange(Schema):
    model_config = ConfigDict(extra="forbid")

    offset: int
    length: int
    styles: list[str]


class AttachmentOut(Schema):
    text: str
    styles: list[StyleRange]
    html: str


class PollOptionOut(Schema):
    index: int
    text: str
    votes: int
    percent: int


class PollOut(Schema):
    options: list[PollOptionOut]
    total_votes: int
    expires_at: datetime
    ended: bool
    viewer_vote: int | None


class LinkCardOut(Schema):
    url: str
    title: str
    description: str
    image_url: str
    site_name: str


class PostOut(Schema):
    """A post as the caller sees it. Counts are null when hidden (others' ghost posts)."""

    id: str
    url: str
    author: PostAuthor
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    edited: bool
    topic: TopicOut | None
    spoilers: list[list[int]]
    media_spoiler: bool
    # Marked sensitive by moderators: show ``content_warning`` in place of the text and media until asked.
    sensitive: bool
    content_warning: str
    media: list[MediaOut]
    attachment: AttachmentOut | None
    poll: PollOut | None
    quote: PostOut | None
    quote_unavailable: bool
    link_card: LinkCardOut | None
    likes_count: int | None
    replies_count: int | None
    reposts_count: int | None
    quotes_count: int | None
    viewer_liked: bool
    viewer_reposted: bool
    viewer_saved: bool
    is_reply: bool
    reply_to_id: str | None
    reply_to_author: PostAuthor | None
    root_id: str | None
    reply_control: str
    ghost: bool
    ghost_archived: bool
    expires_at: datetime | None
    hidden: bool
    reposted_by: PostAuthor | None
    repost_id: str | None


class PostPage(Schema):
    items: list[PostOut]
    next_cursor: str | None


class ReplyOut(Schema):
    post: PostOut
    hidden: bool
    more_below: bool
    replies: list[ReplyOut]


class ThreadOut(Schema):
    ancestors: list[PostOut]
    post: PostOut
    replies: list[ReplyOut]
    truncated: bool


class PostIn(Schema):
    """A new post or reply. Spoilers are ``[offset, length]`` ranges of ``text`` (in characters)."""

    model_config = ConfigDict(extra="forbid")

    text: str = ""
    topic: str = ""
    spoilers: list[list[int]] = []
    media_ids: list[int] = []
    media_spoiler: bool = False
    poll_options: list[str] | None = None
    reply_to_id: int | None = None
    quote_of_id: int | None = None
    reply_control: str = "everyone"
    attachment_text: str = ""
    attachment_styles: list[StyleRange] = []
    ghost: bool = False


class PostChange(Schema):
    """An edit; a field left out keeps its current value (send ``"topic": ""`` to take the topic from the
    text's first ``#tag`` again)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    spoilers: list[list[int]] | None = None
    topic: str | None = None
    media_spoiler: bool | None = None
    attachment_text: str | None = None
    attachment_styles: list[StyleRange] | None = None


class MediaChange(Schema):
    model_config = ConfigDict(extra="forbid")

    alt_text: str


class VoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    option: int


class PostVersion(Schema):
    text: str
    html: str
    spoilers: list[list[int]]
    topic: str
    media_spoiler: bool
    attachment_text: str
    created_at: datetime


class AccountList(Schema):
    items: list[PostAuthor]
    next_cursor: str | None


# --- Shaping ------------------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Account | None:
    """The signed-in, active account on endpoints open to visitors (``auth=None``), else ``None``."""
    account: Account | None = signed_in_account(request)
    return account


def author_out(account: Account | None) -> dict[str, Any] | None:
    if account is None:
        return None
    return {
        "id": str(account.id),
        "handle": account.handle,
        "display_name": account.display_name,
        "avatar_url": account.avatar.url if account.avatar else None,
        "is_verified": account.is_verified,
        "is_private": account.is_private,
        "url": f"/@{account.handle}",
    }


def _media_out(media: MediaCard | Media) -> dict[str, Any]:
    if isinstance(media, Media):
        return {
            "id": str(media.id),
            "url": media.file.url,
            "width": media.width,
            "height": media.height,
            "alt_text": media.alt_text,
            "content_type": media.content_type,
        }
    return {**media.__dict__, "id": str(media.id)}


def _str(value: int | None) -> str | None:
    return str(value) if value is not None else None


def post_out(card: PostCard) -> dict[str, Any]:
    """Serialise a card (no queries: the card holds everything)."""
    topic = card.topic
    link = card.link_card
    return {
        "id": str(card.id),
        "url": f"/@{card.author.handle}/post/{card.id}",
        "author": author_out(card.author),
        "text": card.text,
        "html": str(card.html),
        "created_at": card.created_at,
        "edited_at": card.edited_at,
        "edited": card.edited,
        "topic": {"name": topic.name, "display": topic.display, "url": f"/topic/{topic.display}"}
        if topic
        else None,
        "spoilers": card.spoilers,
        "media_spoiler": card.media_spoiler,
        "sensitive": card.sensitive,
        "content_warning": CONTENT_WARNING if card.sensitive else "",
        "media": [_media_out(m) for m in card.media],
        "attachment": {
            "text": card.attachment_text,
            "styles": card.post.attachment_styles,
            "html": str(card.attachment_html),
        }
        if card.attachment_text
        else None,
        "poll": {
            "options": [o.__dict__ for o in card.poll.options],
            "total_votes": card.poll.total_votes,
            "expires_at": card.poll.expires_at,
            "ended": card.poll.ended,
            "viewer_vote": card.poll.viewer_vote,
        }
        if card.poll
        else None,
        "quote": post_out(card.quote) if card.quote else None,
        "quote_unavailable": card.quote_unavailable,
        "link_card": {
            "url": link.url,
            "title": link.title,
            "description": link.description,
            "image_url": link.image_url,
            "site_name": link.site_name,
        }
        if link
        else None,
        "likes_count": card.likes_count,
        "replies_count": card.replies_count,
        "reposts_count": card.reposts_count,
        "quotes_count": card.quotes_count,
        "viewer_liked": card.viewer_liked,
        "viewer_reposted": card.viewer_reposted,
        "viewer_saved": card.viewer_saved,
        "is_reply": card.is_reply,
        "reply_to_id": _str(card.reply_to_id),
        "reply_to_author": author_out(card.reply_to_author),
        "root_id": _str(card.root_id),
        "reply_control": card.reply_control,
        "ghost": card.is_ghost,
        "ghost_archived": card.ghost_archived,
        "expires_at": card.expires_at,
        "hidden": card.hidden,
        "reposted_by": author_out(card.reposted_by),
        "repost_id": _str(card.repost_id),
    }


def _page_out(page: Any) -> dict[str, Any]:
    return {"items": [post_out(c) for c in page.items], "next_cursor": _str(page.next_cursor)}


def _fresh(viewer: Account, post_id: Any) -> dict[str, Any]:
    return post_out(build_card(viewer, access_post(viewer, post_id)))


def _styles(styles: list[StyleRange] | None) -> list[dict[str, Any]] | None:
    return None if styles is None else [s.model_dump() for s in styles]


# --- Writing ------------------------------------------------------------------------------------------------


@router.post("", response={201: PostOut})
def create_post(request: HttpRequest, payload: PostIn) -> Status[dict[str, Any]]:
    """Publish a post or a reply with every Threads option."""
    author = current_account(request)
    post = services.create_post(
        author,
        text=payload.text,
        topic=payload.topic,
        spoilers=payload.spoilers,
        media_ids=payload.media_ids,
        media_spoiler=payload.media_spoiler,
        poll_options=payload.poll_options,
        reply_to_id=payload.reply_to_id,
        quote_of_id=payload.quote_of_id,
        reply_control=payload.reply_control,
        attachment_text=payload.attachment_text,
        attachment_styles=_styles(payload.attachment_styles) or [],
        ghost=payload.ghost,
    )
    return Status(201, _fresh(author, post.id))


@router.post("media", response={201: MediaOut})
def upload_media(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    alt_text: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Upload an image (multipart ``file`` and optional ``alt_text``) to attach to a post by its ID."""
    media = services.upload_media(current_account(request), file, alt_text)
    return Status(201, _media_out(media))


@router.patch("media/{media_id}", response=MediaOut)
def update_media(request: HttpRequest, media_id: str, payload: MediaChange) -> dict[str, Any]:
    """Change an image's alt text."""
    return _media_out(services.update_media(current_account(request), media_id, payload.alt_text))


@router.patch("{post_id}", response=PostOut)
def edit_post(request: HttpRequest, post_id: str, payload: PostChange) -> dict[str, Any]:
    """Edit within 15 minutes of posting; the previous version is kept (see ``edits``)."""
    editor = current_account(request)
    current = access_post(editor, post_id)
    if current.author_id != editor.id:
        raise Forbidden("Only the author can edit a post.", code="not_author")
    text = payload.text if payload.text is not None else current.text
    if payload.spoilers is not None:
        spoilers = payload.spoilers
    else:
        spoilers = current.spoilers if text == current.text else []
    topic = payload.topic if payload.topic is not None else (current.topic.display if current.topic else "")
    post = services.edit_post(
        editor,
        current.id,
        text=text,
        spoilers=spoilers,
        topic=topic,
        media_spoiler=payload.media_spoiler if payload.media_spoiler is not None else current.media_spoiler,
        attachment_text=payload.attachment_text,
        attachment_styles=_styles(payload.attachment_styles),
    )
    return _fresh(editor, post.id)


@router.delete("{post_id}", response={204: None})
def delete_post(request: HttpRequest, post_id: str) -> Status[None]:
    services.delete_post(current_account(request), post_id)
    return Status(204, None)


def _action(name: str, doc: str) -> None:
    service = getattr(services, name)

    def endpoint(request: HttpRequest, post_id: str) -> dict[str, Any]:
        actor = current_account(request)
        service(actor, post_id)
        return _fresh(actor, post_id)

    endpoint.__name__ = name
    endpoint.__doc__ = doc
    path = {
        "like_post": "like",
        "unlike_post": "unlike",
        "repost_post": "repost",
        "undo_repost": "unrepost",
        "save_post": "save",
        "unsave_post": "unsave",
        "hide_reply": "hide",
        "unhide_reply": "unhide",
    }[name]
    router.post(f"{{post_id}}/{path}", response=PostOut, operation_id=f"posts_{name}")(endpoint)


_action("like_post", "Like (a second like changes nothing).")
_action("unlike_post", "Remove your like.")
_action("repost_post", "Repost to your profile and followers.")
_action("undo_repost", "Remove your repost.")
_action("save_post", "Save privately.")
_action("unsave_post", "Remove from saved.")
_action("hide_reply", "Hide a reply (and everything below it) in a thread you started.")
_action("unhide_reply", "Show again what hiding this reply hid.")


@router.post("{post_id}/vote", response=PostOut)
def vote(request: HttpRequest, post_id: str, payload: VoteIn) -> dict[str, Any]:
    """Vote for option ``option`` (0-based); one vote per person."""
    actor = current_account(request)
    services.vote_in_poll(actor, post_id, payload.option)
    return _fresh(actor, post_id)


# --- Reading ------------------------------------------------------------------------------------------------


@router.get("feeds/home", response=PostPage)
def home(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    """Your posts and those of accounts you follow, with their reposts, newest first."""
    return _page_out(timelines.following_posts(current_account(request), parse_cursor(cursor)))


@router.get("feeds/whats-new", auth=None, response=PostPage)
def whats_new(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    """Public posts, newest first."""
    return _page_out(timelines.whats_new(_viewer(request), parse_cursor(cursor)))


@router.get("feeds/topic/{name}", auth=None, response=PostPage)
def topic(request: HttpRequest, name: str, cursor: str | None = None) -> dict[str, Any]:
    """Posts with a topic, newest first."""
    return _page_out(timelines.topic_posts(_viewer(request), name, parse_cursor(cursor)))


@router.get("feeds/profile/{handle}", auth=None, response=PostPage)
def profile(
    request: HttpRequest, handle: str, tab: str = "threads", cursor: str | None = None
) -> dict[str, Any]:
    """One tab of a profile: ``threads``, ``replies``, ``reposts`` or ``media``."""
    viewer = _viewer(request)
    account = access_account(viewer, handle)
    return _page_out(timelines.profile_posts(viewer, account, tab, parse_cursor(cursor)))


@router.get("{post_id}", auth=None, response=PostOut)
def get_post(request: HttpRequest, post_id: str) -> dict[str, Any]:
    viewer = _viewer(request)
    return post_out(build_card(viewer, access_post(viewer, post_id)))


@router.get("{post_id}/thread", auth=None, response=ThreadOut)
def get_thread(request: HttpRequest, post_id: str) -> dict[str, Any]:
    """The posts above (root first), the post, and the replies below as a tree."""
    result = timelines.thread(_viewer(request), post_id)

    def node(reply: timelines.ReplyNode) -> dict[str, Any]:
        return {
            "post": post_out(reply.card),
            "hidden": reply.hidden,
            "more_below": reply.more_below,
            "replies": [node(child) for child in reply.children],
        }

    return {
        "ancestors": [post_out(c) for c in result.ancestors],
        "post": post_out(result.post),
        "replies": [node(r) for r in result.replies],
        "truncated": result.truncated,
    }


@router.get("{post_id}/edits", auth=None, response=list[PostVersion])
def edits(request: HttpRequest, post_id: str) -> list[dict[str, Any]]:
    """Earlier versions of an edited post, newest first."""
    post = access_post(_viewer(request), post_id)
    return [
        {
            "text": edit.text,
            "html": str(render_post_text(edit.text, edit.spoilers)),
            "spoilers": edit.spoilers,
            "topic": edit.topic_display,
            "media_spoiler": edit.media_spoiler,
            "attachment_text": edit.attachment_text,
            "created_at": edit.created_at,
        }
        for edit in PostEdit.objects.filter(post=post).order_by("-id")
    ]


@router.get("{post_id}/likers", auth=None, response=AccountList)
def likers(request: HttpRequest, post_id: str, cursor: str | None = None) -> dict[str, Any]:
    """Who liked a post, newest first. A ghost post's likes are its author's to see only."""
    viewer = _viewer(request)
    post = access_post(viewer, post_id)
    if post.ghost and (viewer is None or viewer.id != post.author_id):
        raise Forbidden("Only the author sees who liked a ghost post.", code="ghost_post")
    shown = Account.objects.visible_to(viewer).values("id")
    likes = Like.objects.filter(post=post, account_id__in=shown).select_related("account")
    page = page_before(likes, parse_cursor(cursor), 40)
    return {"items": [author_out(like.account) for like in page.items], "next_cursor": _str(page.next_cursor)}
