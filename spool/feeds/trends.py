"""Trending for the Mastodon API: trending topics (now the bucketed, baseline-scored list of
:mod:`spool.feeds.trending`, at most five) with a week of daily history each, and recent posts people engage
with. Not personalised (except that viewers never see what they may not or chose not to).

A topic's week of history (Mastodon's ``Tag.history``) comes with the trending snapshot
(:mod:`spool.feeds.trending.history`); trending posts are the precomputed ``trending_posts`` candidate pool
(:mod:`spool.feeds.for_you.pools`) that For You reads too, so neither endpoint scans posts on a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from spool.feeds.for_you.pools import read_pool
from spool.feeds.trending.history import DayUse, from_rows, topic_history
from spool.feeds.trending.services import current_trending
from spool.identities.models import Account
from spool.posts.models import Post, Topic

MAX_TRENDS = 40


@dataclass(frozen=True)
class TrendingTopic:
    topic: Topic
    history: list[DayUse]  # today first
    score: float


def trending_topics(limit: int = 10, offset: int = 0) -> list[TrendingTopic]:
    """Topics trending now, best first: the cached snapshot with each topic's history, then one query for
    the topics (a second one for their history only when the snapshot was computed on another day)."""
    snapshot = current_trending()
    entries = snapshot["topics"][offset : offset + min(limit, MAX_TRENDS)]
    if not entries:
        return []
    # A topic moderators limited leaves at once, not at the next refresh.
    topics = Topic.objects.filter(reach_limited=False).in_bulk([t["topic_id"] for t in entries])
    stored = snapshot.get("history", {})
    histories = {tid: from_rows(stored[str(tid)]) if str(tid) in stored else None for tid in topics}
    missing = [tid for tid, days in histories.items() if days is None]
    if missing:
        histories.update(topic_history(missing))
    return [
        TrendingTopic(topics[t["topic_id"]], histories[t["topic_id"]] or [], t["score"])
        for t in entries
        if t["topic_id"] in topics
    ]


def trending_posts(viewer: Account | None, limit: int = 20, offset: int = 0) -> list[Post]:
    """Top-level posts of public profiles from the last two days with any engagement, by likes + 2 * reposts
    + replies + quotes, then newest: the ``trending_posts`` pool (kept by the beat job, one store read), of
    which the viewer sees what they may (visibility, blocks, mutes, posts moderators limited the reach of
    left out). Two primary-key queries over at most ``pools.POOL_SIZE`` IDs: which the viewer may see, then
    the page's posts."""
    pool = read_pool("trending_posts", timezone.now())
    if not pool:
        return []
    visible = set(
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .full_reach(viewer)
        .filter(id__in=pool)
        .values_list("id", flat=True)
    )
    page = [i for i in pool if i in visible][offset : offset + min(limit, MAX_TRENDS)]
    if not page:
        return []
    posts = Post.objects.filter(id__in=page).for_cards().in_bulk()
    return [posts[i] for i in page if i in posts]
