"""Posts written on other servers, stored as ordinary ``Post`` rows of remote authors.

Federation turns an incoming ``Note`` into the arguments below. These functions skip what only binds local
writers (Spool's 500-character limit, rate limits, reply controls: the author's own server decided those)
but keep every counter and event exactly as ``create_post``/``edit_post``/``delete_post`` do, so
notifications, feeds and counts treat remote replies, mentions and quotes like local ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.core.errors import ValidationError
from spool.core.events import publish
from spool.core.inserts import insert
from spool.identities.models import Account
from spool.posts.events import PostEdited
from spool.posts.models import Poll, PollOption, Post, Topic
from spool.posts.services.compose import record_new_post
from spool.posts.services.edit import keep_version
from spool.posts.services.erasure import delete_posts
from spool.posts.services.mentions import set_mentions
from spool.posts.services.topics import topic_for
from spool.posts.services.validation import normalise_topic

REMOTE_TEXT_MAX = 100_000
TOPIC_MAX = 50
POLL_SIZES = (2, 4)
OPTION_MAX = 25


def _remote_topic(name: str) -> str:
    name = (name or "").strip().lstrip("#")
    if not name or len(name) > TOPIC_MAX or "." in name or "&" in name or not normalise_topic(name):
        return ""
    return name


def _check(author: Account, text: str, spoilers: Sequence[Any]) -> list[list[int]]:
    if author.is_local:
        raise ValidationError("Only remote authors' posts arrive this way.", code="not_remote")
    if len(text) > REMOTE_TEXT_MAX:
        raise ValidationError("That post is too long to keep.", code="too_long", field="text")
    ranges = []
    for item in list(spoilers)[:10]:
        start, length = int(item[0]), int(item[1])
        if start >= 0 and length > 0 and start + length <= len(text):
            ranges.append([start, length])
    return ranges


def receive_remote_post(
    author: Account,
    *,
    text: str,
    spoilers: Sequence[Any] = (),
    topic: str = "",
    media_spoiler: bool = False,
    reply_to: Post | None = None,
    is_reply: bool = False,
    quote_of: Post | None = None,
    mentioned: Sequence[Account] = (),
    attachment_text: str = "",
    created_at: datetime | None = None,
    poll_options: Sequence[str] | None = None,
    poll_closes_at: datetime | None = None,
    find_topic: Callable[[str], Topic | None] = topic_for,
) -> Post:
    """Store a post a remote ``author`` published.

    Checks: the author is remote; text ≤100,000 characters; spoiler ranges inside the text (others dropped);
    the topic dropped when Spool can't hold it. ``is_reply`` with no ``reply_to`` keeps a reply whose parent
    we could not fetch out of top-level lists. Changes, in one transaction: the post, mentions, topic,
    counters (author ``posts_count``, parent ``replies_count``, quoted ``quotes_count``, topic); with
    ``poll_options`` (2-4 options of 1-25 characters; the caller degrades others to text) a poll closing at
    ``poll_closes_at``. Publishes ``PostCreated`` (notifications reach mentioned and replied-to local
    people). ``find_topic``: :func:`topic_for`, or the caller's way to it (the inbox remembers a batch's
    topics). Called inside a transaction, it takes no savepoint of its own: a failure rolls back the
    caller's transaction (or savepoint) with it."""
    ranges = _check(author, text, spoilers)
    topic_display = _remote_topic(topic)
    # No savepoint: its only caller (the inbox's ``ingest_note``) holds one around it already, and the inbox
    # applies a post per activity (two statements saved on each).
    with transaction.atomic(savepoint=False):
        root_id = root_author_id = None
        if reply_to is not None:
            if not reply_to.is_reply:
                root_id, root_author_id = reply_to.id, reply_to.author_id
            elif reply_to.root_id is not None:
                root_id, root_author_id = reply_to.root_id, reply_to.root_author_id
        topic_obj = find_topic(topic_display)
        post = Post(
            author=author,
            text=text,
            attachment_text=attachment_text[:10_000],
            topic=topic_obj,
            spoilers=ranges,
            media_spoiler=bool(media_spoiler),
            reply_to=reply_to,
            reply_to_author_id=reply_to.author_id if reply_to is not None else None,
            is_reply=bool(is_reply or reply_to is not None),
            root_id=root_id,
            root_author_id=root_author_id,
            quote_of=quote_of,
        )
        if created_at is not None and created_at < timezone.now():
            # The time it was written on its server (the ID stays the arrival time, which orders feeds),
            # stored with the row (otherwise the arrival time).
            post.created_at = created_at
        insert(post)
        if poll_options is not None:
            if not POLL_SIZES[0] <= len(poll_options) <= POLL_SIZES[1] or any(
                not 1 <= len(o) <= OPTION_MAX for o in poll_options
            ):
                raise ValidationError(
                    "Spool can't hold that poll.", code="invalid_poll", field="poll_options"
                )
            poll = Poll.objects.create(post=post, expires_at=poll_closes_at or timezone.now())
            PollOption.objects.bulk_create(
                [PollOption(poll=poll, position=i, text=text) for i, text in enumerate(poll_options)]
            )
        newly = set_mentions(post, list(mentioned), new_post=True) if mentioned else []
        record_new_post(post, reply_to, quote_of, newly)
    return post


def revise_remote_post(
    post: Post,
    *,
    text: str,
    spoilers: Sequence[Any] = (),
    topic: str = "",
    media_spoiler: bool = False,
    mentioned: Sequence[Account] = (),
    attachment_text: str = "",
) -> Post:
    """Apply an edit made on the remote author's server (no edit window: their server decided). Keeps the
    previous version as a ``PostEdit``, sets ``edited_at``, keeps topic counts and mentions exact, publishes
    ``PostEdited``. An edit that changes nothing records nothing."""
    author = post.author
    ranges = _check(author, text, spoilers)
    topic_display = _remote_topic(topic)
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("topic").get(id=post.id)
        old_topic = post.topic.display if post.topic else ""
        if (
            text == post.text
            and ranges == post.spoilers
            and topic_display.lower() == old_topic.lower()
            and bool(media_spoiler) == post.media_spoiler
            and attachment_text == post.attachment_text
        ):
            return post
        new_topic = keep_version(post, old_topic, topic_display)
        post.text, post.spoilers, post.topic = text, ranges, new_topic
        post.media_spoiler = bool(media_spoiler)
        post.attachment_text = attachment_text[:10_000]
        post.edited_at = timezone.now()
        post.save(
            update_fields=["text", "spoilers", "topic", "media_spoiler", "attachment_text", "edited_at"]
        )
        newly = set_mentions(post, list(mentioned))
        publish(PostEdited(post_id=post.id, author_id=author.id, new_mentioned_ids=tuple(newly)))
    return post


def remove_remote_post(post: Post) -> None:
    """Delete a remote author's post (their server deleted it), with everything ``delete_post`` removes and
    counters kept exact. Publishes ``PostDeleted``."""
    if post.author.is_local:
        raise ValidationError("Only remote authors' posts are removed this way.", code="not_remote")
    with transaction.atomic():
        delete_posts([post.id])


def count_remote_poll(post: Post, counts: Sequence[int]) -> None:
    """Take the vote counts a remote poll's server reports (votes cast everywhere, not only here). Counts
    for the options in order; ignored unless there is one per option."""
    options = list(PollOption.objects.filter(poll_id=post.id).order_by("position"))
    if post.author.is_local or len(counts) != len(options):
        return
    with transaction.atomic():
        for option, count in zip(options, counts, strict=True):
            if option.votes_count != max(0, int(count)):
                PollOption.objects.filter(id=option.id).update(votes_count=max(0, int(count)))
        Poll.objects.filter(post_id=post.id).update(votes_count=sum(max(0, int(c)) for c in counts))
