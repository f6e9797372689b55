"""The one door For You uses to ask what is trending: the topics of the trending snapshot
(:mod:`spool.feeds.trending.services`, cached) and the ``trending_posts`` pool
(:mod:`spool.feeds.for_you.pools`). Neither scans posts on a ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from spool.feeds.for_you.pools import read_pool
from spool.feeds.trending.services import current_trending
from spool.identities.models import Account
from spool.posts.models import Topic

TOPICS = 5
POSTS = 40


@dataclass(frozen=True)
class TrendingNow:
    topic_ids: frozenset[int]
    post_ids: tuple[int, ...]  # best first; not screened for the viewer (``gather`` does that)


def trending_now(viewer: Account, now: datetime) -> TrendingNow:
    """Up to ``TOPICS`` trending topics (one query: a topic moderators limited leaves at once) and the first
    ``POSTS`` of the ``trending_posts`` pool (the same for every ``viewer`` today)."""
    ids = [t["topic_id"] for t in current_trending()["topics"][:TOPICS]]
    topics = Topic.objects.filter(id__in=ids, reach_limited=False).values_list("id", flat=True) if ids else []
    posts = read_pool("trending_posts", now, POSTS)
    return TrendingNow(frozenset(topics), tuple(posts))
