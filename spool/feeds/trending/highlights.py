"""Highlights of the trending topics, computed by the periodic job with the trending list.

- **Trending discussions**: public top-level posts in the topic from the last ``DISCUSSION_WINDOW`` with the
  highest *engagement velocity*: ``(likes + 2·replies + 2·reposts + quotes) / (age in hours + 2)`` — how fast
  people are engaging, so a fresh thread that is taking off beats yesterday's big one.
- **Influential voices**: accounts whose public posts in the topic (last ``VOICES_WINDOW``) were liked or
  replied to by the most distinct other people, divided by ``sqrt(followers + 10)`` so a big audience does not
  win by size alone: 200 people out of 10,000 followers scores below 20 out of 50.

Both are a few grouped queries for all trending topics together, bounded (``SCAN`` posts; the voices'
counters, :func:`influential_voices`). The IDs are
stored in the snapshot; pages load them through ``visible_to`` for each viewer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet, Sum

from spool.communities.engagement import distinct_engagers
from spool.core.snowflake import id_at
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
    """Per topic, the IDs of its most influential voices, best first.

    Bounded: the posts' counters give each (topic, author) an upper bound of its engagers (a like or a
    reply is at most one more distinct person), in one grouped query with the author's audience. Distinct
    engagers are then counted (:func:`distinct_engagers`, two queries) only for the best bounds, more of
    them until no author left out could beat a topic's last voice — usually once, for a few dozen authors,
    where counting every author's likes read a week of likes of every trending topic."""
    if not topic_ids:
        return {}
    since = now - VOICES_WINDOW
    public = Post.objects.visible_to(None).full_reach().filter(topic_id__in=topic_ids, id__gte=id_at(since))
    bounds = _bounds(public)
    exact: dict[tuple[int, int], int] = {}
    take = VOICES_PER_TOPIC * 4
    while True:
        chosen = {a for candidates in bounds.values() for _, a, _ in candidates[:take]}
        fresh = {a for a in chosen if a not in {author for _, author in exact}}
        if fresh:
            counted = distinct_engagers(
                public.filter(author_id__in=fresh).values("id"), now, by_topic=True, by_counts=True
            )
            exact.update({(t, a): counted.get((t, a), 0) for t in bounds for a in fresh})
        best = {t: _best(candidates[:take], t, exact) for t, candidates in bounds.items()}
        if all(_settled(best[t], candidates, take) for t, candidates in bounds.items()):
            return {t: [author for _, author in ranked] for t, ranked in best.items() if ranked}
        take *= 4


Bound = tuple[float, int, int]  # best possible score, author ID, followers


def _bounds(public: QuerySet[Post]) -> dict[int, list[Bound]]:
    """Per topic, its authors with at least ``MIN_ENGAGERS`` likes and replies by the counters, by the
    score those would give (best first, then the higher author ID, as voices are ranked)."""
    rows = (
        public.filter(Q(likes_count__gt=0) | Q(replies_count__gt=0))
        .values("topic_id", "author_id", "author__followers_count")
        .annotate(most=Sum("likes_count") + Sum("replies_count"))
        .filter(most__gte=MIN_ENGAGERS)
        .order_by()
        .values_list("topic_id", "author_id", "author__followers_count", "most")
    )
    found: dict[int, list[Bound]] = defaultdict(list)
    for topic_id, author_id, followers, most in rows:
        found[topic_id].append((voice_score(most, followers), author_id, followers))
    return {t: sorted(candidates, reverse=True) for t, candidates in found.items()}


def _best(
    candidates: list[Bound], topic_id: int, exact: dict[tuple[int, int], int]
) -> list[tuple[float, int]]:
    """The topic's best ``VOICES_PER_TOPIC`` among ``candidates`` by their counted engagers."""
    scored = [
        (voice_score(n, followers), author)
        for _, author, followers in candidates
        if (n := exact.get((topic_id, author), 0)) >= MIN_ENGAGERS
    ]
    return sorted(scored, reverse=True)[:VOICES_PER_TOPIC]


def _settled(best: list[tuple[float, int]], candidates: list[Bound], take: int) -> bool:
    """Whether no candidate past the first ``take`` could enter the topic's ``best``."""
    if len(candidates) <= take:
        return True
    bound, author, _ = candidates[take]
    return len(best) == VOICES_PER_TOPIC and best[-1] > (bound, author)
