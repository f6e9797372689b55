"""Who engaged with whom: distinct other people who liked or replied to an author's posts. Shared by the
community leader job and trending's influential voices (feeds sit above communities and import it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, F, QuerySet

from spool.posts.models import Like, Post


def distinct_engagers(
    posts: QuerySet[Any],
    now: datetime,
    *,
    among: QuerySet[Any] | None = None,
    by_topic: bool = False,
    by_counts: bool = False,
) -> dict[Any, int]:
    """Per author of ``posts`` (a queryset of post IDs), how many distinct other people liked them plus how
    many distinct other people replied to them up to ``now`` (someone who did both counts twice). Keyed by
    author ID, or by ``(topic ID, author ID)`` with ``by_topic``; ``among`` limits who counts (a queryset of
    account IDs). Two grouped queries. With ``by_counts`` (``posts`` a queryset of :class:`Post`), each
    looks only among the posts whose counter says they have likes (replies): over a large set of posts,
    PostgreSQL otherwise reads every post for replies to a few (its estimate of ``posts`` is too large
    for an index lookup per post)."""
    liked, replied = (
        (posts.filter(likes_count__gt=0), posts.filter(replies_count__gt=0)) if by_counts else (posts, posts)
    )
    likes = Like.objects.filter(post_id__in=liked, created_at__lte=now).exclude(
        account_id=F("post__author_id")
    )
    replies = Post.objects.filter(
        reply_to_id__in=replied, created_at__lte=now, author__is_active=True
    ).exclude(author_id=F("reply_to_author_id"))
    if among is not None:
        likes = likes.filter(account_id__in=among)
        replies = replies.filter(author_id__in=among)
    counts: dict[Any, int] = defaultdict(int)
    sources = (
        (likes, "post__topic_id", "post__author_id", "account_id"),
        (replies, "reply_to__topic_id", "reply_to_author_id", "author_id"),
    )
    for rows, topic, author, who in sources:
        keys = [topic, author] if by_topic else [author]
        for row in rows.values(*keys).annotate(n=Count(who, distinct=True)).order_by():
            counts[(row[topic], row[author]) if by_topic else row[author]] += row["n"]
    return dict(counts)
