"""Scoring For You candidates: pure functions of :class:`~spool.feeds.for_you.features.Features` and
:class:`Weights`, no database, no clock (age comes in the features).

score = (base + Σ reasons) x recency x steering, where

- each *reason* is a named, non-negative contribution (following the author, affinity with them, the topic, a
  community you joined, people you follow who engaged, popularity, trending, a new voice, Dear Algo "more");
- *recency* halves every ``half_life_hours``;
- *steering* multiplies: show more / show less on the author's and the topic's posts (net counts, capped at
  ``feedback_cap``) and Dear Algo "more"/"less" terms the post matches.

Every contribution is returned with the score, so the explanation says what actually moved the post.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spool.feeds.for_you.features import Features


@dataclass(frozen=True)
class Weights:
    base: float = 0.2
    follows_author: float = 2.0
    affinity: float = 1.0  # x log1p(interactions with the author)
    follows_topic: float = 1.5
    community: float = 1.5  # the post is in a community the viewer joined
    topic_interest: float = 0.5  # x log1p(likes and posts in the topic)
    engaged_by: float = 0.8  # per person you follow who engaged (up to 3)
    velocity: float = 1.0  # x log1p(engagement points per hour)
    trending_topic: float = 1.0
    trending_post: float = 0.8
    new_voice: float = 0.6
    asked_more: float = 1.0  # a reason too, so "You asked for more X" can be the top one
    half_life_hours: float = 18.0
    feedback_cap: int = 3
    author_more: float = 1.6  # x per net "show more" on the author's posts
    author_less: float = 0.4  # x per net "show less" (not interested counts twice)
    topic_more: float = 1.5
    topic_less: float = 0.5
    dear_more: float = 2.5
    dear_less: float = 0.2


WEIGHTS = Weights()


@dataclass(frozen=True)
class Contribution:
    """One reason a post ranks where it does: ``code`` names the feature, ``value`` is what it added."""

    code: str
    value: float


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: tuple[Contribution, ...]  # positive contributions, largest first
    multiplier: float


def engagement_points(f: Features) -> float:
    """Likes count once, replies one and a half, reposts twice, quotes once."""
    return f.likes + 1.5 * f.replies + 2.0 * f.reposts + f.quotes


def velocity(f: Features) -> float:
    """Engagement points per hour since posting (two hours' grace so a brand-new post is not infinite)."""
    return engagement_points(f) / (max(f.age_hours, 0.0) + 2.0)


def recency(age_hours: float, w: Weights = WEIGHTS) -> float:
    """1 when just posted, halving every ``half_life_hours``."""
    return float(0.5 ** (max(age_hours, 0.0) / w.half_life_hours))


def _power(factor: float, count: int, cap: int) -> float:
    return float(factor ** min(count, cap))


def steering(f: Features, w: Weights = WEIGHTS) -> float:
    """The product of the steering multipliers that apply to this post."""
    m = 1.0
    if f.author_feedback > 0:
        m *= _power(w.author_more, f.author_feedback, w.feedback_cap)
    elif f.author_feedback < 0:
        m *= _power(w.author_less, -f.author_feedback, w.feedback_cap)
    if f.topic_feedback > 0:
        m *= _power(w.topic_more, f.topic_feedback, w.feedback_cap)
    elif f.topic_feedback < 0:
        m *= _power(w.topic_less, -f.topic_feedback, w.feedback_cap)
    if f.asked_more:
        m *= w.dear_more
    if f.asked_less:
        m *= w.dear_less
    return m


def _values(f: Features, w: Weights) -> tuple[tuple[str, float], ...]:
    """Every reason's value, positive or not, in the order ties keep. Plain pairs: a ranking scores every
    candidate, and only the few positive reasons become :class:`Contribution` objects."""
    engaged = len(set(f.liked_by) | set(f.reposted_by)) if f.liked_by or f.reposted_by else 0
    return (
        ("asked_more", w.asked_more if f.asked_more else 0.0),
        ("author_more", w.asked_more if f.author_feedback > 0 else 0.0),
        ("topic_more", w.asked_more if f.topic_feedback > 0 and f.topic_id else 0.0),
        ("follows_author", w.follows_author if f.follows_author else 0.0),
        ("engaged_by", w.engaged_by * min(engaged, 3)),
        ("affinity", w.affinity * math.log1p(max(f.affinity, 0))),
        ("community", w.community if f.community else 0.0),
        ("follows_topic", w.follows_topic if f.follows_topic and f.topic_id else 0.0),
        ("trending_post", w.trending_post if f.trending_post else 0.0),
        ("trending_topic", w.trending_topic if f.trending_topic and f.topic_id else 0.0),
        ("velocity", w.velocity * math.log1p(velocity(f))),
        ("topic_interest", w.topic_interest * math.log1p(max(f.topic_interest, 0))),
        ("new_voice", w.new_voice if f.new_voice else 0.0),
    )


def contributions(f: Features, w: Weights = WEIGHTS) -> list[Contribution]:
    """The positive reasons, largest first (ties keep this order)."""
    kept = [pair for pair in _values(f, w) if pair[1] > 0]
    kept.sort(key=lambda pair: -pair[1])
    return [Contribution(code, value) for code, value in kept]


def score(f: Features, w: Weights = WEIGHTS) -> Scored:
    reasons = contributions(f, w)
    multiplier = recency(f.age_hours, w) * steering(f, w)
    relevance = w.base + sum(c.value for c in reasons)
    return Scored(relevance * multiplier, tuple(reasons), multiplier)


def rank(items: list[Features], w: Weights = WEIGHTS) -> list[tuple[Features, Scored]]:
    """Best first; equal scores newest first (higher post ID), so the order is total and repeatable."""
    scored = [(f, score(f, w)) for f in items]
    scored.sort(key=lambda pair: (-pair[1].score, -pair[0].post_id))
    return scored
