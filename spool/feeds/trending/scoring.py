"""The maths of "trending now", as pure functions (no database, no clock).

A topic's activity in a slice of time is its *author-hours*: for each hour of the slice, how many distinct
people used the topic, summed. One person posting fifty times in an hour counts once for that hour, so a
single spammer cannot lift a topic.

The current window (the last ``WINDOW_HOURS``) is compared with the same-sized slices of the topic's own
past (the ``BASELINE_DAYS`` before the window): ``z = (now - mean) / spread`` where ``spread`` is the
slices' standard deviation, but never below ``sqrt(mean + 1)`` — the noise a count of that size has anyway
(Poisson) — so a topic that is always busy needs a real jump, and a quiet one cannot trend on one extra post.
A topic trends when ``z >= MIN_Z`` and the window holds at least ``MIN_USES`` posts by at least
``MIN_AUTHORS`` distinct people; moderators' hidden topics never do; the best ``MAX_TRENDING`` by ``z``
(then by distinct people, then the newest topic) are shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic

from spool.feeds.trending.store import HourCount, K

WINDOW_HOURS = 3
BASELINE_DAYS = 7
MIN_USES = 3
MIN_AUTHORS = 3
MIN_Z = 3.0
MAX_TRENDING = 5


@dataclass(frozen=True)
class Floors:
    """What a burst needs to trend: posts and distinct people in the window, and the z-score."""

    min_uses: int = MIN_USES
    min_authors: int = MIN_AUTHORS
    min_z: float = MIN_Z


TOPIC_FLOORS = Floors()


@dataclass(frozen=True)
class Candidate(Generic[K]):
    """What the store says about one topic (or keyword): its hours, and the distinct people in the current
    window."""

    topic_id: K
    hours: Mapping[int, HourCount]
    window_authors: int


@dataclass(frozen=True)
class Scored(Generic[K]):
    topic_id: K
    z: float
    uses: int  # posts in the window
    authors: int  # distinct people in the window
    baseline_mean: float  # author-hours per window-sized slice, before the window


def slices(hours: Mapping[int, HourCount], now_hour: int) -> tuple[int, int, list[int]]:
    """``(uses, author_hours)`` of the current window ending at ``now_hour`` and the author-hours of each
    baseline slice before it (oldest first; empty hours count as zero)."""
    window_first = now_hour - WINDOW_HOURS + 1
    uses = sum(c.uses for h, c in hours.items() if window_first <= h <= now_hour)
    current = sum(c.authors for h, c in hours.items() if window_first <= h <= now_hour)
    count = BASELINE_DAYS * 24 // WINDOW_HOURS
    past = [0] * count
    first_past = window_first - count * WINDOW_HOURS
    for hour, c in hours.items():
        if first_past <= hour < window_first:
            past[(hour - first_past) // WINDOW_HOURS] += c.authors
    return uses, current, past


def burst_z(current: int, past: list[int]) -> tuple[float, float]:
    """``(z, mean)`` of ``current`` against the ``past`` slices."""
    mean = sum(past) / len(past) if past else 0.0
    variance = sum((x - mean) ** 2 for x in past) / len(past) if past else 0.0
    spread = max(math.sqrt(variance), math.sqrt(mean + 1))
    return (current - mean) / spread, mean


def busy_in_window(window: Mapping[K, Mapping[int, HourCount]], floors: Floors = TOPIC_FLOORS) -> list[K]:
    """The keys of ``window`` (the store's counts for the current window) past the floors on posts and on
    summed hourly authors — never below the window's distinct authors, so a safe first cut before the
    distinct count is read."""
    return [
        key
        for key, hours in window.items()
        if sum(c.uses for c in hours.values()) >= floors.min_uses
        and sum(c.authors for c in hours.values()) >= floors.min_authors
    ]


def score_candidate(
    candidate: Candidate[K], now_hour: int, floors: Floors = TOPIC_FLOORS
) -> Scored[K] | None:
    """The candidate's score, or ``None`` when it does not trend (too few posts or people, or no burst)."""
    uses, current, past = slices(candidate.hours, now_hour)
    if uses < floors.min_uses or candidate.window_authors < floors.min_authors:
        return None
    z, mean = burst_z(current, past)
    if z < floors.min_z:
        return None
    return Scored(candidate.topic_id, z, uses, candidate.window_authors, mean)


def pick_trending(
    candidates: Iterable[Candidate[K]],
    now_hour: int,
    hidden: set[K],
    limit: int = MAX_TRENDING,
    floors: Floors = TOPIC_FLOORS,
) -> list[Scored[K]]:
    """The trending topics (or keywords), best first, at most ``limit`` (topics: capped at
    ``MAX_TRENDING``). Ties: more people, then the newer topic (the later keyword)."""
    scored = [
        s
        for c in candidates
        if c.topic_id not in hidden and (s := score_candidate(c, now_hour, floors)) is not None
    ]
    scored.sort(key=lambda s: (s.z, s.authors, s.topic_id), reverse=True)
    return scored[:limit]
