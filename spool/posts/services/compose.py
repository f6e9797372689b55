"""Writing a post: the one function every front door (pages, APIs, federation, demo data) calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.core import counters
from spool.core.errors import Forbidden, ValidationError
from spool.core.events import publish
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.posts.access import access_post, reply_refusal, thread_root
from spool.posts.events import PostCreated
from spool.posts.models import GhostStatus, Poll, PollOption, Post
from spool.posts.services.cards import card_for_links
from spool.posts.services.guards import check_actor
from spool.posts.services.media import attach_media, check_media
from spool.posts.services.mentions import mentioned_accounts, set_mentions
from spool.posts.services.topics import count_topic, topic_for
from spool.posts.services.validation import (
    check_attachment,
    check_links,
    check_media_ids,
    check_poll_options,
    check_reply_control,
    check_spoilers,
    check_text,
    check_topic,
)

POST_LIMIT = Limit("posts", 250, timedelta(hours=24))
REPLY_LIMIT = Limit("replies", 1000, timedelta(hours=24))
POLL_DURATION = timedelta(hours=24)
GHOST_DURATION = timedelta(hours=24)


def create_post(
    author: Account,
    *,
    text: str = "",
    topic: str = "",
    spoilers: Sequence[Any] = (),
    media_ids: Iterable[Any] = (),
    media_spoiler: bool = False,
    poll_options: Sequence[str] | None = None,
    reply_to_id: Any = None,
    quote_of_id: Any = None,
    reply_control: str = "everyone",
    attachment_text: str = "",
    attachment_styles: Sequence[Any] = (),
    ghost: bool = False,
) -> Post:
    """Publish a post (or a reply, with ``reply_to_id``).

    Checks: text ≤500 (Threads counting), ≤5 distinct links, text or images or poll or attachment present,
    attachment ≤10,000 with styling ranges inside it and no poll, topic 1-50 without ``.``/``&`` (the field,
    else the first ``#tag``), ≤10 non-overlapping spoiler ranges inside the text, 1-20 of the author's own
    unattached images, poll 2-4 options of 1-25 characters and not with images or an attachment; ghost posts
    are text only, not replies, quotes, polls or attachments. A reply needs a parent the author can see and
    the thread root's reply control to let them in; a quote needs a quotable post the author can see.
    Rate limits: 250 posts or 1,000 replies a day.

    Changes, in one transaction: the post, its images' ``post``, poll and options, mentions, topic (created on
    first use), link card; counters by ``F()``: parent ``replies_count``, quoted ``quotes_count``, topic
    ``posts_count``, author ``posts_count``. Publishes ``PostCreated`` (with the mentioned account IDs); the
    link card is fetched after commit.
    """
    check_actor(author)
    text = check_text(text)
    spoilers = check_spoilers(list(spoilers or ()), text)
    attachment_text, styles = check_attachment(attachment_text, list(attachment_styles or ()))
    links = check_links(text, attachment_text)
    topic_display = check_topic(topic, text)
    reply_control = check_reply_control(reply_control)
    options = check_poll_options(poll_options)
    media = check_media_ids(media_ids)
    if options is not None and attachment_text:
        raise ValidationError(
            "A post can't have both a poll and a text attachment.",
            code="poll_with_attachment",
            field="poll_options",
        )
    if options is not None and media:
        raise ValidationError(
            "A post can't have both a poll and images.", code="poll_with_media", field="poll_options"
        )
    if not (text.strip() or media or options or attachment_text):
        raise ValidationError("Write something, or add an image or a poll.", code="empty_post", field="text")
    if ghost:
        _check_ghost(text, media, options, attachment_text, reply_to_id, quote_of_id)

    with transaction.atomic():
        parent = _reply_parent(author, reply_to_id)
        quoted = _quoted_post(author, quote_of_id)
        check_media(author, media)
        hit(REPLY_LIMIT if parent else POST_LIMIT, author.id)
        now = timezone.now()
        topic_obj = topic_for(topic_display)
        root_id = root_author_id = None
        root_ghost = False
        if parent is not None:
            reply_control = thread_root(parent).reply_control
            if not parent.is_reply:
                root_id, root_author_id, root_ghost = parent.id, parent.author_id, bool(parent.ghost)
            elif parent.root_id is not None:
                # The parent carries its root's author and ghost flag (see ``Post.root_author``).
                root_id, root_author_id, root_ghost = parent.root_id, parent.root_author_id, parent.root_ghost
        post = Post.objects.create(
            author=author,
            text=text,
            attachment_text=attachment_text,
            attachment_styles=styles,
            topic=topic_obj,
            spoilers=spoilers,
            media_spoiler=bool(media_spoiler) and bool(media),
            links=links,
            card=card_for_links(links, has_media=bool(media)),
            reply_to=parent,
            reply_to_author_id=parent.author_id if parent is not None else None,
            is_reply=parent is not None,
            root_id=root_id,
            root_author_id=root_author_id,
            root_ghost=root_ghost,
            quote_of=quoted,
            reply_control=reply_control,
            # A reply into a hidden branch is hidden with it (and unhidden with it).
            hidden=bool(parent and parent.hidden),
            hidden_by_id=(parent.hidden_by_id or parent.id) if parent is not None and parent.hidden else None,
            ghost=GhostStatus.ACTIVE if ghost else GhostStatus.NONE,
            expires_at=now + GHOST_DURATION if ghost else None,
        )
        attach_media(author, post, media)
        if options is not None:
            poll = Poll.objects.create(post=post, expires_at=now + POLL_DURATION)
            PollOption.objects.bulk_create(
                [PollOption(poll=poll, position=i, text=option) for i, option in enumerate(options)]
            )
        named = mentioned_accounts(text)
        record_new_post(post, parent, quoted, set_mentions(post, named, new_post=True) if named else [])
    return post


def record_new_post(post: Post, parent: Post | None, quoted: Post | None, mentioned_ids: list[int]) -> None:
    """Count a just-created post (topic, author, parent's replies, quoted post's quotes: :func:`counters.add`,
    at once, or summed to the end of an inbox batch's transaction, where one statement bumps every author's
    count) and publish ``PostCreated``. Runs in the creating transaction; shared by local and remote posts."""
    count_topic(post.topic_id, +1)
    counters.add(Account, post.author_id, "posts_count", 1)
    if parent is not None:
        counters.add(Post, parent.id, "replies_count", 1)
    if quoted is not None:
        counters.add(Post, quoted.id, "quotes_count", 1)
    publish(
        PostCreated(
            post_id=post.id,
            author_id=post.author_id,
            reply_to_id=parent.id if parent else None,
            reply_to_author_id=parent.author_id if parent else None,
            quote_of_id=quoted.id if quoted else None,
            quote_of_author_id=quoted.author_id if quoted else None,
            mentioned_ids=tuple(mentioned_ids),
            text=post.text,
        )
    )


def _check_ghost(
    text: str,
    media: list[int],
    options: list[str] | None,
    attachment: str,
    reply_to_id: Any,
    quote_of_id: Any,
) -> None:
    if not text.strip():
        raise ValidationError("A ghost post needs text.", code="empty_post", field="text")
    if reply_to_id not in (None, ""):
        raise ValidationError("A reply can't be a ghost post.", code="ghost_reply", field="ghost")
    if media or options is not None or attachment or quote_of_id not in (None, ""):
        raise ValidationError(
            "Ghost posts are text only: no images, polls, attachments or quotes.",
            code="ghost_text_only",
            field="ghost",
        )


def _reply_parent(author: Account, reply_to_id: Any) -> Post | None:
    if reply_to_id in (None, ""):
        return None
    parent = access_post(author, reply_to_id)
    refusal = reply_refusal(author, parent)
    if refusal:
        raise Forbidden(refusal, code="reply_not_allowed", field="reply_to_id")
    return parent


def _quoted_post(author: Account, quote_of_id: Any) -> Post | None:
    if quote_of_id in (None, ""):
        return None
    quoted = access_post(author, quote_of_id)
    if quoted.ghost:
        raise ValidationError("Ghost posts can't be quoted.", code="not_quotable", field="quote_of_id")
    if quoted.author.is_private and quoted.author_id != author.id:
        raise ValidationError(
            "Posts of private profiles can't be quoted.", code="not_quotable", field="quote_of_id"
        )
    return quoted
