"""Ghost posts: text posts that archive themselves 24 hours after posting."""

from __future__ import annotations

from django.utils import timezone

from spool.posts.models import GhostStatus, Post


def expire_ghost_posts() -> int:
    """Archive every active ghost post whose 24 hours are over; returns how many. Archived ghost posts are
    seen by their author only (see ``PostQuerySet.visible_to``). Idempotent."""
    return Post.objects.filter(ghost=GhostStatus.ACTIVE, expires_at__lte=timezone.now()).update(
        ghost=GhostStatus.ARCHIVED
    )
