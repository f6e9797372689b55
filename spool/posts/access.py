"""Reading one post: ``access_post`` answers "missing" and "forbidden" alike, so a post's existence never
leaks. Who may reply to a thread is decided here too, because pages need it to show or hide the reply box."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spool.core.errors import NotFound
from spool.identities.models import Follow
from spool.posts.models import Mention, Post, ReplyControl

if TYPE_CHECKING:
    from spool.identities.models import Account

NOT_AVAILABLE = "This post isn't available."


def parse_post_id(post_id: Any) -> int:
    try:
        value = int(post_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_AVAILABLE) from None
    if value <= 0 or value >= 1 << 63:
        raise NotFound(NOT_AVAILABLE)
    return value


def access_post(viewer: Account | None, post_id: Any) -> Post:
    """The post ``post_id`` if ``viewer`` may see it (see ``PostQuerySet.visible_to``); otherwise
    ``NotFound``, the same error whether it is missing or forbidden."""
    post = Post.objects.visible_to(viewer).for_cards().filter(id=parse_post_id(post_id)).first()
    if post is None:
        raise NotFound(NOT_AVAILABLE)
    return post


def thread_root(post: Post) -> Post:
    """The post whose reply control governs replies under ``post``: its thread's first post (``post``
    itself for a root post; the parent when the first post was deleted)."""
    if not post.is_reply:
        return post
    return post.root or post.reply_to or post


def reply_refusal(viewer: Account, post: Post) -> str | None:
    """Why ``viewer`` may not reply under ``post`` (a message), or ``None`` if they may. The thread's root
    post's reply control applies to the whole thread; the root post's author may always reply."""
    root = thread_root(post)
    if post.ghost == "archived":
        return "This ghost post has expired."
    if root.author_id == viewer.id:
        return None
    control = root.reply_control
    if control == ReplyControl.EVERYONE:
        return None
    if control == ReplyControl.ACCOUNTS_YOU_FOLLOW:
        if Follow.objects.filter(follower_id=root.author_id, followee_id=viewer.id).exists():
            return None
        return "Only profiles the author follows can reply."
    if control == ReplyControl.MENTIONED_ONLY:
        if Mention.objects.filter(post_id=root.id, account_id=viewer.id).exists():
            return None
        return "Only profiles mentioned by the author can reply."
    if control == ReplyControl.FOLLOWERS_ONLY:
        if Follow.objects.filter(follower_id=viewer.id, followee_id=root.author_id).exists():
            return None
        return "Only the author's followers can reply."
    return "Only the author can reply."


def can_reply(viewer: Account | None, post: Post) -> bool:
    return viewer is not None and reply_refusal(viewer, post) is None
