"""Highlights of the trending topics, computed by the periodic job with the trending list.

- **Trending discussions**: public top-level posts in the topic from the last ``DISCUSSION_WINDOW`` with the
  highest *engagement velocity*: ``(likes + 2·replies + 2·reposts + quotes) / (age in hours + 2)`` — how fast
  people are engaging, so a fresh thread that is taking off beats yesterday's big one.
- **Influential voices**: accounts whose public posts in the topic (last ``VOICES_WINDOW``) were liked or
  replied to by the most distinct other people, divided by ``sqrt(followers + 10)`` so a big audience does not
  win by size alone: 200 people out of 10,000 followers scores below 20 out of 50.

Both are one or two grouped queries for all trending topics together, bounded by ``SCAN``. The IDs are
stored in the snapshot; pages load them through ``visible_to`` for each viewer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import F

from spool.communities.engagement import distinct_engagers
from spool.core.snowflake import id_at
from spool.identities.models import Account
from spool.posts.models import Post

DISCUSSION_WINDOW = timedelta(hours=48)
VOICES_WINDOW = timedelta(days=7)
DISCUSSIONS_PER_TOPIC = 3
VOICES_PER_TOPIC = 3
MIN_ENGAGERS = 2
SCAN = 500


def engagement_velocity(engagement: int, age_hours: float) -> float:
    return engagement / (max(age_hours, 0.0) + 2.0)


def voice_score(engagers: int, followers: int) -> float:
    return engagers / math.sqrt(followers + 10)


def trending_discussions(topic_ids: list[int], now: datetime) -> dict[int, list[int]]:
    """Per topic, the IDs of its fastest-engaging public posts, best first. One query."""
    if not topic_ids:
        return {}
    since = now - DISCUSSION_WINDOW
    rows = (
        Post.objects.visible_to(None)
        .full_reach()
        .top_level()
        .filter(topic_id__in=topic_ids, id__gte=id_at(since), created_at__lte=now)
        .annotate(
            engagement=F("likes_count") + 2 * F("replies_count") + 2 * F("reposts_count") + F("quotes_count")
        )
        .filter(engagement__gt=0)
        .order_by("-engagement", "-id")
        .values_list("id", "topic_id", "created_at", "engagement")[:SCAN]
    )
    ranked: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for post_id, topic_id, created_at, engagement in rows:
        age = (now - created_at).total_seconds() / 3600
        ranked[topic_id].append((engagement_velocity(engagement, age), post_id))
    return {
        topic_id: [post_id for _, post_id in sorted(items, reverse=True)[:DISCUSSIONS_PER_TOPIC]]
        for topic_id, items in ranked.items()
    }


def influential_voices(topic_ids: list[int], now: datetime) -> dict[int, list[int]]:
    """Per topic, the IDs of its most influential voices, best first. Three queries (likers, repliers,
    the accounts' audiences)."""
    if not topic_ids:
        return {}
    since = now - VOICES_WINDOW
    public = (
        Post.objects.visible_to(None)
        .full_reach()
        .filter(topic_id__in=topic_ids, id__gte=id_at(since))
        .values("id")
    )
    engagers = distinct_engagers(public, now, by_topic=True, by_counts=True)
    worthy = {key: n for key, n in engagers.items() if n >= MIN_ENGAGERS}
    audiences = dict(
        Account.objects.filter(
            id__in={author for _, author in worthy}, is_active=True, is_private=False
        ).values_list("id", "followers_count")
    )
    ranked: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (topic_id, author_id), n in worthy.items():
        if author_id in audiences:
            ranked[topic_id].append((voice_score(n, audiences[author_id]), author_id))
    return {
        topic_id: [author for _, author in sorted(items, reverse=True)[:VOICES_PER_TOPIC]]
        for topic_id, items in ranked.items()
    }
