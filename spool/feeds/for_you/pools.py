"""Precomputed candidate pools: what For You's global sources propose, computed by a beat job instead of on
every ranking.

"New voices" and trending are the same for everyone before per-viewer filtering, and finding them means
reading every post of a time window (sorted by engagement): at 100k accounts that is the one unbounded step
of a ranking. So the beat job ``spool.feeds.tasks.refresh_candidate_pools`` (every five minutes)
computes each pool once — at most ``POOL_SIZE`` post IDs, best first — into the pool store (Redis at scale,
a row embedded: :mod:`spool.feeds.for_you.pool_store`), and a ranking reads the IDs back. A pool never
written, or older than ``STALE_AFTER`` (the job stopped), is computed once by the reader and stored.

Pools hold IDs only and are computed for a logged-out visitor (public posts, full reach); everything that
depends on the viewer — blocks, mutes, privacy, hidden words, their own and followed authors, feedback — is
applied when the ranking reads them (:mod:`spool.feeds.for_you.candidates`, then ``gather``, then the page
reader), so a pool can never show a post the viewer may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from spool.core.snowflake import id_at
from spool.feeds.for_you.pool_store import pool_store
from spool.feeds.trending.services import current_trending
from spool.posts.models import Post
from spool.posts.querysets import PostQuerySet

POOL_SIZE = 1000
STALE_AFTER = timedelta(minutes=15)
NEW_VOICES_WINDOW = timedelta(days=2)
# A new voice's post needs this many engagement points (likes + reposts + replies + quotes).
NEW_VOICE_MIN_ENGAGEMENT = 1
TRENDING_POSTS_WINDOW = timedelta(days=2)
TRENDING_TOPICS_WINDOW = timedelta(days=3)

Compute = Callable[[datetime], list[int]]
POOLS: dict[str, Compute] = {}


def candidate_pool(name: str) -> Callable[[Compute], Compute]:
    """Register how pool ``name`` is computed (from ``now``, at most ``POOL_SIZE`` IDs, best first)."""

    def register(fn: Compute) -> Compute:
        POOLS[name] = fn
        return fn

    return register


def _public_top_level(now: datetime, window: timedelta) -> PostQuerySet:
    return (
        Post.objects.visible_to(None)
        .top_level()
        .full_reach()
        .filter(id__gte=id_at(now - window), created_at__lte=now, author__is_private=False)
    )


@candidate_pool("new_voices")
def compute_new_voices(now: datetime) -> list[int]:
    """Public top-level posts of the last two days that people already engage with, most engaged first
    (the reader leaves out the viewer's own and followed authors)."""
    qs = (
        _public_top_level(now, NEW_VOICES_WINDOW)
        .annotate(points=F("likes_count") + F("reposts_count") + F("replies_count") + F("quotes_count"))
        .filter(points__gte=NEW_VOICE_MIN_ENGAGEMENT)
        .order_by("-points", "-id")
    )
    return list(qs.values_list("id", flat=True)[:POOL_SIZE])


@candidate_pool("trending_posts")
def compute_trending_posts(now: datetime) -> list[int]:
    """Public top-level posts of the last two days with any engagement, by likes + 2 x reposts + replies +
    quotes, then newest."""
    qs = (
        _public_top_level(now, TRENDING_POSTS_WINDOW)
        .annotate(
            engagement=F("likes_count") + 2 * F("reposts_count") + F("replies_count") + F("quotes_count")
        )
        .filter(engagement__gt=0)
        .order_by("-engagement", "-id")
    )
    return list(qs.values_list("id", flat=True)[:POOL_SIZE])


@candidate_pool("trending_topics")
def compute_trending_topic_posts(now: datetime) -> list[int]:
    """The newest top-level posts in the topics trending now (the snapshot's), newest first."""
    topic_ids = [t["topic_id"] for t in current_trending()["topics"]]
    if not topic_ids:
        return []
    qs = _public_top_level(now, TRENDING_TOPICS_WINDOW).filter(
        topic_id__in=topic_ids, topic__reach_limited=False
    )
    return list(qs.order_by("-id").values_list("id", flat=True)[:POOL_SIZE])


def refresh_pool(name: str, now: datetime | None = None) -> list[int]:
    """Compute pool ``name`` for ``now`` and store it; returns its IDs."""
    now = now or timezone.now()
    ids = POOLS[name](now)
    pool_store().write(name, ids, now)
    return ids


def refresh_candidate_pools(now: datetime | None = None) -> dict[str, int]:
    """Recompute every registered pool (the beat job); returns each pool's size."""
    now = now or timezone.now()
    return {name: len(refresh_pool(name, now)) for name in POOLS}


def read_pool(name: str, now: datetime, count: int | None = None) -> list[int]:
    """Pool ``name`` as last stored, its first ``count`` IDs when given (one store read); when it was never
    stored or is older than ``STALE_AFTER`` at ``now``, computed once here and stored for the next
    readers."""
    stored = pool_store().read(name, count)
    if stored is None or stored.computed_at < now - STALE_AFTER:
        return refresh_pool(name, now)[:count]
    return stored.ids
