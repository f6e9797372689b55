"""Editing and deleting posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.core.errors import Forbidden, ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.events import PostEdited
from spool.posts.models import Media, Post, PostEdit, Topic
from spool.posts.services.cards import card_for_links
from spool.posts.services.erasure import delete_posts
from spool.posts.services.guards import check_actor
from spool.posts.services.mentions import mentioned_accounts, set_mentions
from spool.posts.services.topics import count_topic, topic_for
from spool.posts.services.validation import (
    check_attachment,
    check_links,
    check_spoilers,
    check_text,
    check_topic,
)

EDIT_WINDOW = timedelta(minutes=15)


def edit_post(
    editor: Account,
    post_id: Any,
    *,
    text: str,
    spoilers: Sequence[Any] = (),
    topic: str = "",
    media_spoiler: bool = False,
    attachment_text: str | None = None,
    attachment_styles: Sequence[Any] | None = None,
) -> Post:
    """Replace the text, spoilers, topic, media spoiler flag and (when given) text attachment of
    ``editor``'s own post, within 15 minutes of posting.

    Re-checks everything ``create_post`` checks about these fields (length, links, topic, spoilers,
    attachment, "not empty" counting the post's images and poll). Keeps the previous version as a
    ``PostEdit`` row and sets ``edited_at`` (the "Edited" mark); an edit that changes nothing is not
    recorded. Keeps mentions, link card and topic counts exact. Locks the post row; publishes ``PostEdited``
    with the newly mentioned account IDs. Someone else's post: ``Forbidden``; one they can't see:
    ``NotFound``.
    """
    check_actor(editor)
    with transaction.atomic():
        post = access_post(editor, post_id)
        if post.author_id != editor.id:
            raise Forbidden("Only the author can edit a post.", code="not_author")
        post = Post.objects.select_for_update(of=("self",)).select_related("topic").get(id=post.id)
        now = timezone.now()
        if now - post.created_at > EDIT_WINDOW:
            raise Forbidden("Posts can be edited for 15 minutes after posting.", code="edit_window_closed")

        text = check_text(text)
        spoilers = check_spoilers(list(spoilers or ()), text)
        if attachment_text is None:
            new_attachment, styles = post.attachment_text, post.attachment_styles
            if attachment_styles is not None:
                new_attachment, styles = check_attachment(post.attachment_text, list(attachment_styles))
        else:
            new_attachment, styles = check_attachment(attachment_text, list(attachment_styles or ()))
        links = check_links(text, new_attachment)
        topic_display = check_topic(topic, text)
        has_media = Media.objects.filter(post=post).exists()
        has_poll = hasattr(post, "poll")
        if new_attachment and has_poll:
            raise ValidationError(
                "A post can't have both a poll and a text attachment.",
                code="poll_with_attachment",
                field="attachment_text",
            )
        if new_attachment and post.ghost:
            raise ValidationError(
                "Ghost posts are text only.", code="ghost_text_only", field="attachment_text"
            )
        if not (text.strip() or has_media or has_poll or new_attachment):
            raise ValidationError(
                "Write something, or add an image or a poll.", code="empty_post", field="text"
            )

        old_topic = post.topic.display if post.topic else ""
        unchanged = (
            text == post.text
            and spoilers == post.spoilers
            and topic_display == old_topic
            and bool(media_spoiler) == post.media_spoiler
            and new_attachment == post.attachment_text
            and styles == post.attachment_styles
        )
        if unchanged:
            return post

        new_topic = keep_version(post, old_topic, topic_display)
        post.text = text
        post.spoilers = spoilers
        post.topic = new_topic
        post.media_spoiler = bool(media_spoiler) and has_media
        post.attachment_text = new_attachment
        post.attachment_styles = styles
        if links != post.links:
            post.card = card_for_links(links, has_media=has_media)
        post.links = links
        post.edited_at = now
        post.save(
            update_fields=[
                "text",
                "spoilers",
                "topic",
                "media_spoiler",
                "attachment_text",
                "attachment_styles",
                "links",
                "card",
                "edited_at",
            ]
        )
        newly_mentioned = set_mentions(post, mentioned_accounts(text))
        publish(PostEdited(post_id=post.id, author_id=editor.id, new_mentioned_ids=tuple(newly_mentioned)))
    return access_post(editor, post.id)


def keep_version(post: Post, old_topic: str, topic_display: str) -> Topic | None:
    """Before an edit: keep the current version as a ``PostEdit`` and move the topic count from the old
    topic to the new one; returns the new topic. Runs in the editing transaction (local and remote edits)."""
    PostEdit.objects.create(
        post=post,
        text=post.text,
        spoilers=post.spoilers,
        topic_display=old_topic,
        media_spoiler=post.media_spoiler,
        attachment_text=post.attachment_text,
        created_at=post.edited_at or post.created_at,
    )
    new_topic = topic_for(topic_display)
    if (new_topic.id if new_topic else None) != post.topic_id:
        count_topic(post.topic_id, -1)
        count_topic(new_topic.id if new_topic else None, +1)
    return new_topic


def delete_post(actor: Account, post_id: Any) -> None:
    """Delete ``actor``'s own post. Its likes, reposts, saves, images, poll, mentions and edit history go
    with it; replies stay (as replies whose parent is gone) except under a ghost post, whose private
    conversation is deleted with it. Counters stay exact: the parent's ``replies_count``, the quoted post's
    ``quotes_count``, the topic's and the author's ``posts_count``. Publishes ``PostDeleted`` for each post
    removed. Someone else's post: ``Forbidden``; one they can't see: ``NotFound``."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        if post.author_id != actor.id:
            raise Forbidden("Only the author can delete a post.", code="not_author")
        doomed = [post.id]
        if post.ghost:
            doomed += list(Post.objects.filter(root_id=post.id).order_by("-id").values_list("id", flat=True))
        delete_posts(doomed)
