"""Pinning one's own posts to the top of one's profile."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from spool.core.errors import ValidationError
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.models import PinnedPost, Post
from spool.posts.services.guards import check_actor

# As many as Mastodon allows (its ``max_pinned_statuses``).
MAX_PINNED = 5


def pin_post(actor: Account, post_id: Any) -> Post:
    """Pin one of ``actor``'s own posts (visible to them; others' posts are refused with
    ``ValidationError`` ``not_author``), at most ``MAX_PINNED`` at a time (``pin_limit``). Pinning a pinned
    post changes nothing. Locks the actor's account row so two pins cannot both take the last place."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        if post.author_id != actor.id:
            raise ValidationError("You can only pin your own posts.", code="not_author")
        Account.objects.select_for_update().filter(pk=actor.pk).first()
        pinned = PinnedPost.objects.filter(account=actor)
        if pinned.filter(post=post).exists():
            return post
        if pinned.count() >= MAX_PINNED:
            raise ValidationError(
                f"You can pin at most {MAX_PINNED} posts; unpin one first.", code="pin_limit"
            )
        PinnedPost.objects.create(account=actor, post=post)
    return post


def unpin_post(actor: Account, post_id: Any) -> Post:
    """Unpin a post of ``actor``'s (nothing happens when it was not pinned)."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        PinnedPost.objects.filter(account=actor, post=post).delete()
    return post
