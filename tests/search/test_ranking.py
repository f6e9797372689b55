"""Top's scoring functions (pure)."""

from __future__ import annotations

from spool.search.ranking import HALF_LIFE_HOURS, Candidate, engagement, rank_top, recency


def test_engagement_grows_but_sublinearly():
    assert engagement(0, 0, 0, 0) == 1.0
    assert engagement(10, 0, 0, 0) < engagement(0, 10, 0, 0)  # a repost weighs more than a like
    assert engagement(1000, 0, 0, 0) < 10 * engagement(10, 0, 0, 0)


def test_recency_halves_every_half_life():
    assert recency(0) == 1.0
    assert abs(recency(HALF_LIFE_HOURS) - 0.5) < 1e-9


def test_engagement_beats_a_slightly_newer_post_and_relevance_breaks_ties():
    quiet = Candidate(3, relevance=1.0, age_hours=1)
    popular = Candidate(2, relevance=1.0, likes=200, reposts=20, age_hours=5)
    weak = Candidate(1, relevance=0.1, likes=200, reposts=20, age_hours=5)
    assert [c.post_id for c in rank_top([quiet, weak, popular])] == [2, 1, 3]
    old = Candidate(4, relevance=1.0, likes=200, reposts=20, age_hours=HALF_LIFE_HOURS * 10)
    assert rank_top([old, quiet])[0] is quiet
