"""Likes, reposts and saves. Each is idempotent: doing it twice is a no-op, never a double count, and the
counter changes only when a row was really created or deleted, in the same transaction
(:func:`spool.core.counters.add`: at the end of an inbox batch's transaction, where many likes are summed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction

from spool.core import counters, savepoints
from spool.core.compiled import compiled, delete_where
from spool.core.errors import ValidationError
from spool.core.events import publish
from spool.core.inserts import insert
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.events import PostLiked, PostReposted, PostUnliked, RepostUndone
from spool.posts.models import Like, Post, Repost, Save
from spool.posts.services.guards import check_actor

LIKE_LIMIT = Limit("likes", 1000, timedelta(hours=24))
REPOST_LIMIT = Limit("reposts", 1000, timedelta(hours=24))


# Asked by every undone repost (the inbox applies hundreds of activities a second), so compiled once per
# process.
_REPOSTED = compiled(
    lambda account, post: Repost.objects.filter(account_id=account, post_id=post).values_list("id")[:1],
    ints=("account", "post"),
)


def _create_once(model: type[Like] | type[Repost] | type[Save], actor: Account, post: Post) -> Any:
    """The new row, or ``None`` when it already existed (also when a concurrent request won the race)."""
    if model.objects.filter(account=actor, post=post).exists():
        return None
    return _insert_once(model, actor, post)


def _insert_once(model: type[Like] | type[Repost] | type[Save], actor: Account, post: Post) -> Any:
    """The new row, or ``None`` when a concurrent request created it first: one ``INSERT … ON CONFLICT DO
    NOTHING`` (:mod:`spool.core.inserts`), where ``objects.create`` in a savepoint catching the
    ``IntegrityError`` took three statements and the building of the insert's SQL on every like."""
    row = model(account=actor, post=post)
    return row if insert(row, ignore_conflicts=True) else None


def like_post(actor: Account, post_id: Any) -> Post:
    """Like a post ``actor`` can see (``post_id``: its id, or the post read already, see ``access_post``).
    Adds 1 to ``likes_count`` and publishes ``PostLiked`` only when the like is new.
    Rate limit: 1,000 likes a day."""
    check_actor(actor)
    with savepoints.atomic():
        post = access_post(actor, post_id)
        if _insert_once(Like, actor, post) is None:
            return post  # liked already: nothing to count
        # Counted once the like is known to be new (a repeat costs nothing); past the limit this raises and
        # the like rolls back with the transaction (one statement fewer than looking for the like first).
        hit(LIKE_LIMIT, actor.id)
        counters.add(Post, post.id, "likes_count", 1)
        publish(PostLiked(post_id=post.id, post_author_id=post.author_id, account_id=actor.id))
    return post


def unlike_post(actor: Account, post_id: Any) -> Post:
    """Remove ``actor``'s like; subtracts 1 and publishes ``PostUnliked`` only if there was one."""
    check_actor(actor)
    with savepoints.atomic():
        post = access_post(actor, post_id)
        if delete_where(Like, account_id=actor.id, post_id=post.id):
            counters.add(Post, post.id, "likes_count", -1)
            publish(PostUnliked(post_id=post.id, account_id=actor.id))
    return post


def repost_post(actor: Account, post_id: Any) -> Post:
    """Repost a post ``actor`` can see to their profile and followers' feeds. Ghost posts and posts of
    private profiles (other than one's own) can't be reposted. Publishes ``PostReposted`` when new."""
    check_actor(actor)
    with savepoints.atomic():
        post = access_post(actor, post_id)
        if post.ghost:
            raise ValidationError("Ghost posts can't be reposted.", code="not_repostable")
        if post.author.is_private and post.author_id != actor.id:
            raise ValidationError("Posts of private profiles can't be reposted.", code="not_repostable")
        repost = _insert_once(Repost, actor, post)
        if repost is None:
            return post  # reposted already: nothing to count
        hit(REPOST_LIMIT, actor.id)  # as for a like: past the limit the repost rolls back
        counters.add(Post, post.id, "reposts_count", 1)
        reposted = PostReposted(
            repost_id=repost.id, post_id=post.id, post_author_id=post.author_id, account_id=actor.id
        )
        publish(reposted)
    return post


def undo_repost(actor: Account, post_id: Any) -> Post:
    """Remove ``actor``'s repost of a post they can see; publishes ``RepostUndone`` only if there was one."""
    check_actor(actor)
    with savepoints.atomic():
        post = access_post(actor, post_id)
        found = _REPOSTED.run(account=actor.id, post=post.id)  # at most one (unique)
        if found and delete_where(Repost, id=found[0][0]):
            counters.add(Post, post.id, "reposts_count", -1)
            publish(RepostUndone(post_id=post.id, account_id=actor.id, repost_id=found[0][0]))
    return post


def save_post(actor: Account, post_id: Any) -> Post:
    """Bookmark a post privately (no counter, no event)."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        _create_once(Save, actor, post)
    return post


def unsave_post(actor: Account, post_id: Any) -> Post:
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        Save.objects.filter(account=actor, post=post).delete()
    return post
