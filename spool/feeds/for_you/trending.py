"""The one door For You uses to ask what is trending. Trending itself lives in :mod:`spool.feeds.trends`
(and is being rewritten); swap the body of :func:`trending_now` and nothing else in For You changes."""

from __future__ import annotations

from dataclasses import dataclass

from spool.feeds.trends import trending_posts, trending_topics
from spool.identities.models import Account

TOPICS = 5
POSTS = 40


@dataclass(frozen=True)
class TrendingNow:
    topic_ids: frozenset[int]
    post_ids: tuple[int, ...]  # best first, already screened for the viewer


def trending_now(viewer: Account) -> TrendingNow:
    """Up to ``TOPICS`` trending topics and ``POSTS`` trending posts for ``viewer``."""
    topics = trending_topics(TOPICS)
    posts = trending_posts(viewer, POSTS)
    return TrendingNow(frozenset(t.topic.id for t in topics), tuple(p.id for p in posts))
