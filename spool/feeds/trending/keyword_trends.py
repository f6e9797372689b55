"""Trending keywords: words and phrases of public posts' text (:mod:`.keywords`), counted in the same hourly
buckets as topics (the keyword store of :mod:`.store`) and scored the same way — author-hours against each
keyword's own week (:mod:`.scoring`) — with floors of their own (a word is noisier than a topic) and
moderators' hidden keywords and Spool's default offensive words left out. Computed with the trending
snapshot (``refresh_trending``), so pages read it from the same cached row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spool.feeds.trending.models import HiddenKeyword
from spool.feeds.trending.scoring import (
    BASELINE_DAYS,
    WINDOW_HOURS,
    Candidate,
    Floors,
    busy_in_window,
    pick_trending,
)
from spool.feeds.trending.store import hour_of, keyword_store
from spool.identities.offensive_words import DEFAULT_OFFENSIVE_WORDS

KEYWORD_FLOORS = Floors(min_uses=5, min_authors=4, min_z=3.0)
MAX_KEYWORDS = 10
_OFFENSIVE = frozenset(DEFAULT_OFFENSIVE_WORDS)


def _offensive(term: str) -> bool:
    return any(word in _OFFENSIVE for word in term.split())


def compute_keyword_trends(now: datetime) -> list[dict[str, Any]]:
    """The trending keywords at ``now``, best first (at most ``MAX_KEYWORDS``): the window's counts for
    every keyword, then the distinct people and the week of the few past the floors (three store reads and
    one query for hidden keywords)."""
    store = keyword_store()
    now_hour = hour_of(now)
    first = now_hour - WINDOW_HOURS + 1
    window = store.hourly(first, now_hour)
    busy = [term for term in busy_in_window(window, KEYWORD_FLOORS) if not _offensive(term)]
    hidden = (
        set(HiddenKeyword.objects.filter(term__in=busy).values_list("term", flat=True)) if busy else set()
    )
    busy = [t for t in busy if t not in hidden]
    distinct = store.distinct_authors(busy, first, now_hour) if busy else {}
    busy = [t for t in busy if distinct.get(t, 0) >= KEYWORD_FLOORS.min_authors]
    history = store.hourly(first - BASELINE_DAYS * 24, now_hour, busy) if busy else {}
    candidates = [Candidate(t, history.get(t, {}), distinct[t]) for t in busy]
    picked = pick_trending(candidates, now_hour, hidden, MAX_KEYWORDS, KEYWORD_FLOORS)
    return [
        {
            "term": s.topic_id,
            "score": round(s.z, 3),
            "uses": s.uses,
            "authors": s.authors,
            "baseline": round(s.baseline_mean, 3),
        }
        for s in picked
    ]
