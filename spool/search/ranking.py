"""Scoring for the Top tab: pure functions, unit-tested without a database.

``top_score = relevance * engagement * recency``:

- relevance: the backend's text relevance, scaled so the best candidate of the search is 1 and the worst
  is no less than ``RELEVANCE_FLOOR`` (a weak text match still counts, a strong one counts more);
- engagement: ``1 + ln(1 + likes + 2·reposts + 2·quotes + replies)`` — grows with attention, but a
  thousand likes weigh about seven times nothing, not a thousand times;
- recency: halves every ``HALF_LIFE_HOURS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HALF_LIFE_HOURS = 72.0
RELEVANCE_FLOOR = 0.5


@dataclass(frozen=True)
class Candidate:
    post_id: int
    relevance: float
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    age_hours: float = 0.0


def engagement(likes: int, reposts: int, replies: int, quotes: int) -> float:
    return 1.0 + math.log1p(max(likes, 0) + 2 * max(reposts, 0) + 2 * max(quotes, 0) + max(replies, 0))


def recency(age_hours: float) -> float:
    return 0.5 ** (max(age_hours, 0.0) / HALF_LIFE_HOURS)


def top_score(candidate: Candidate, best_relevance: float) -> float:
    scaled = candidate.relevance / best_relevance if best_relevance > 0 else 1.0
    relevance = RELEVANCE_FLOOR + (1 - RELEVANCE_FLOOR) * min(max(scaled, 0.0), 1.0)
    return (
        relevance
        * engagement(candidate.likes, candidate.reposts, candidate.replies, candidate.quotes)
        * recency(candidate.age_hours)
    )


def rank_top(candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` best first (ties: newest first)."""
    best = max((c.relevance for c in candidates), default=0.0)
    return sorted(candidates, key=lambda c: (top_score(c, best), c.post_id), reverse=True)
