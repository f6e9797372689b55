"""Trending for the Mastodon API: trending topics (now the bucketed, baseline-scored list of
:mod:`spool.feeds.trending`, at most five) with a week of daily history each, and recent posts people engage
with. Not personalised (except that viewers never see what they may not or chose not to).

``topic_history`` counts uses and distinct accounts per UTC day over the last week from public posts (what
a logged-out visitor could see): one grouped query over the week's topic posts of the page's topics, found
through the time-ordered primary key. Mastodon's ``Tag.history`` shows it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from spool.core.snowflake import id_at
from spool.feeds.trending.services import current_trending
from spool.identities.models import Account
from spool.posts.models import Post, Topic

HISTORY_DAYS = 7
TRENDING_POSTS_WINDOW = timedelta(days=2)
MAX_TRENDS = 40


@dataclass(frozen=True)
class DayUse:
    day: date
    uses: int
    accounts: int

    @property
    def timestamp(self) -> int:
        """UNIX time of the day's midnight (UTC), as Mastodon's ``Tag.history`` gives it."""
        return int(datetime.combine(self.day, time(), tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class TrendingTopic:
    topic: Topic
    history: list[DayUse]  # today first
    score: float


def _days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(HISTORY_DAYS)]


def topic_history(topic_ids: list[int] | None = None) -> dict[int, list[DayUse]]:
    """Uses and distinct accounts per UTC day over the last ``HISTORY_DAYS`` days (today first, missing days
    zero) for ``topic_ids`` (every topic used this week when ``None``); posts and topics moderators limited
    the reach of do not count. One query."""
    today = timezone.now().astimezone(UTC).date()
    start = datetime.combine(today - timedelta(days=HISTORY_DAYS - 1), time(), tzinfo=UTC)
    rows = (
        Post.objects.visible_to(None)
        .full_reach()
        .filter(
            id__gte=id_at(start), created_at__gte=start, topic_id__isnull=False, topic__reach_limited=False
        )
    )
    if topic_ids is not None:
        rows = rows.filter(topic_id__in=topic_ids)
    counts = (
        rows.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("topic_id", "day")
        .annotate(uses=Count("id"), accounts=Count("author_id", distinct=True))
        .order_by()
    )
    by_topic: dict[int, dict[date, tuple[int, int]]] = defaultdict(dict)
    for row in counts:
        by_topic[row["topic_id"]][row["day"]] = (row["uses"], row["accounts"])
    wanted = topic_ids if topic_ids is not None else list(by_topic)
    return {
        tid: [DayUse(day, *by_topic.get(tid, {}).get(day, (0, 0))) for day in _days(today)] for tid in wanted
    }


def trending_topics(limit: int = 10, offset: int = 0) -> list[TrendingTopic]:
    """Topics trending now, best first (the cached snapshot, then two queries: topics and their history)."""
    entries = current_trending()["topics"][offset : offset + min(limit, MAX_TRENDS)]
    if not entries:
        return []
    # A topic moderators limited leaves at once, not at the next refresh.
    topics = Topic.objects.filter(reach_limited=False).in_bulk([t["topic_id"] for t in entries])
    histories = topic_history(list(topics))
    return [
        TrendingTopic(topics[t["topic_id"]], histories[t["topic_id"]], t["score"])
        for t in entries
        if t["topic_id"] in topics
    ]


def trending_posts(viewer: Account | None, limit: int = 20, offset: int = 0) -> list[Post]:
    """Top-level posts of public profiles from the last two days with any engagement, by likes + 2 * reposts
    + replies + quotes, then newest; what the viewer may not see or muted, and posts moderators limited the
    reach of, are left out. One query."""
    since = timezone.now() - TRENDING_POSTS_WINDOW
    return list(
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .top_level()
        .full_reach(viewer)
        .filter(id__gte=id_at(since), author__is_private=False)
        .annotate(
            engagement=F("likes_count") + 2 * F("reposts_count") + F("replies_count") + F("quotes_count")
        )
        .filter(engagement__gt=0)
        .for_cards()
        .order_by("-engagement", "-id")[offset : offset + min(limit, MAX_TRENDS)]
    )
