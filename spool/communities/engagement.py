"""Who engaged with whom: distinct other people who liked or replied to an author's posts. Shared by the
community leader job and trending's influential voices (feeds sit above communities and import it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection
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
    """Per author of ``posts`` (a queryset of :class:`Post`, or of post IDs from one), how many distinct
    other people liked them plus how many distinct other people replied to them up to ``now`` (someone who
    did both counts twice). Keyed by author ID, or by ``(topic ID, author ID)`` with ``by_topic``; ``among``
    limits who counts (a queryset of account IDs). Two grouped queries. With ``by_counts``, each looks only
    among the posts whose counter says they have likes (replies): over a large set of posts, PostgreSQL
    otherwise reads every post for replies to a few (its estimate of ``posts`` is too large for an index
    lookup per post)."""
    liked, replied = (
        (posts.filter(likes_count__gt=0), posts.filter(replies_count__gt=0)) if by_counts else (posts, posts)
    )
    counts: dict[Any, int] = defaultdict(int)
    for key, n in _distinct_likers(liked, now, among):
        counts[key if by_topic else key[1]] += n
    replies = Post.objects.filter(
        reply_to_id__in=replied, created_at__lte=now, author__is_active=True
    ).exclude(author_id=F("reply_to_author_id"))
    if among is not None:
        replies = replies.filter(author_id__in=among)
    keys = ["reply_to__topic_id", "reply_to_author_id"] if by_topic else ["reply_to_author_id"]
    for row in replies.values(*keys).annotate(n=Count("author_id", distinct=True)).order_by():
        author = row["reply_to_author_id"]
        counts[(row["reply_to__topic_id"], author) if by_topic else author] += row["n"]
    return dict(counts)


def _distinct_likers(
    posts: QuerySet[Any], now: datetime, among: QuerySet[Any] | None
) -> list[tuple[tuple[int | None, int], int]]:
    """``((topic ID, author ID), distinct likers other than the author)`` of ``posts``, in one query that
    joins the likes to the posts (each post read once, its topic and author with it) and counts the distinct
    (topic, author, liker) rows: a plain ``post_id IN (…)`` made PostgreSQL read the posts twice, once per
    like, and sort every like for ``COUNT(DISTINCT …)``."""
    inner, params = posts.values("id", "topic_id", "author_id").query.sql_with_params()
    args = [*params, connection.ops.adapt_datetimefield_value(now)]
    likes = connection.ops.quote_name(Like._meta.db_table)
    among_sql = ""
    if among is not None:
        sub, sub_params = among.query.sql_with_params()
        among_sql = f" AND l.account_id IN ({sub})"
        args += sub_params
    pairs = (
        f"SELECT DISTINCT p.topic_id, p.author_id, l.account_id FROM ({inner}) p "  # noqa: S608
        f"INNER JOIN {likes} l ON l.post_id = p.id "
        f"WHERE l.created_at <= %s AND l.account_id <> p.author_id{among_sql}"
    )
    sql = f"SELECT topic_id, author_id, COUNT(*) FROM ({pairs}) d GROUP BY topic_id, author_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [((topic, author), n) for topic, author, n in cursor.fetchall()]
