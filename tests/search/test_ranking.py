"""Top's scoring functions (pure), and the window BM25 that gives SQLite's text relevance."""

from __future__ import annotations

import random

import pytest

from spool.search.query import parse_query
from spool.search.ranking import (
    HALF_LIFE_HOURS,
    Candidate,
    engagement,
    first_eligible,
    rank_top,
    recency,
    window_bm25,
)


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


@pytest.mark.parametrize("seed", range(40))
def test_first_eligible_ranks_as_ranking_every_eligible_candidate_and_asks_about_few(seed):
    rng = random.Random(seed)
    size = rng.choice([0, 1, 3, 25, 200, 500])
    pool = [
        Candidate(
            post_id,
            relevance=rng.choice([0.1, 0.2, 0.5, 1.0, rng.random()]),
            likes=int(rng.paretovariate(1.5)) - 1,
            reposts=rng.randrange(3),
            age_hours=rng.random() * 500,
        )
        for post_id in rng.sample(range(1, 10_000), size)
    ]
    # Some seeds leave out the most relevant candidates (the scores are scaled by the best eligible one),
    # some most of the pool.
    left_out_share = rng.choice([0.0, 0.05, 0.5, 0.95, 1.0])
    keep = {c.post_id for c in pool if rng.random() >= left_out_share}
    if seed % 3 == 0 and pool:
        keep -= {c.post_id for c in pool if c.relevance >= sorted(c.relevance for c in pool)[-min(6, size)]}
    asked: list[int] = []

    def eligible(ids: list[int]) -> set[int]:
        assert not set(ids) & set(asked)  # never asked twice
        asked.extend(ids)
        return set(ids) & keep

    wanted = rng.choice([1, 21, 41, 600])
    expected = rank_top([c for c in pool if c.post_id in keep])[:wanted]
    assert first_eligible(pool, eligible, wanted) == expected
    if seed % 3 and size >= 200 and left_out_share <= 0.05 and wanted < 100:
        assert len(asked) < 1.5 * wanted + 10


def test_window_bm25_counts_words_and_weighs_length():
    once, twice, long_once = window_bm25(
        parse_query("kiln"),
        ["my kiln is hot", "kiln, kiln: it is hot", "the kiln " + "and more words " * 10],
    )
    assert twice > once > long_once > 0


def test_window_bm25_weighs_a_word_rare_in_the_window_more():
    texts = ["glaze and kiln", "glaze only", "glaze again", "kiln alone"]
    scores = window_bm25(parse_query("glaze or kiln"), texts)
    # "kiln" is in 2 of 4 texts, "glaze" in 3 of 4: the text with only kiln beats the texts with only glaze.
    assert scores[3] > scores[1] and scores[0] > scores[3]


def test_window_bm25_phrases_need_the_words_in_order_and_fold_like_the_index():
    scores = window_bm25(parse_query('"wood fired"'), ["wood-fired bowls", "fired by wood", "WOOD FIRED"])
    assert scores[2] > scores[0] > 0 and scores[1] == 0  # the shorter text first
    accented = window_bm25(parse_query("café"), ["Cafe opening", "un CAFÉ", "tea"])
    assert accented[0] == accented[1] > 0 and accented[2] == 0
    assert window_bm25(parse_query("cafe"), ["un CAFÉ"])[0] > 0
    assert window_bm25(parse_query("-kiln"), ["kiln"]) == [0.0]
