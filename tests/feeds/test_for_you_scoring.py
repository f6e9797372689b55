"""For You's pure parts, without a database: scoring, diversity caps, explanations and Dear Algo parsing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from spool.feeds.for_you.dear_algo import matches, parse_request
from spool.feeds.for_you.diversity import diversify
from spool.feeds.for_you.explain import explain, people
from spool.feeds.for_you.features import Features
from spool.feeds.for_you.scoring import WEIGHTS, rank, recency, score, steering, velocity

BASE = Features(post_id=1, author_id=10, author_handle="ana", age_hours=1.0, topic_id=5, topic_name="Cycling")


def f(**changes: object) -> Features:
    return replace(BASE, **changes)  # type: ignore[arg-type]


# --- scoring -----------------------------------------------------------------------------------------------


def test_recency_halves_every_half_life() -> None:
    assert recency(0) == 1.0
    assert recency(WEIGHTS.half_life_hours) == pytest.approx(0.5)
    assert recency(2 * WEIGHTS.half_life_hours) == pytest.approx(0.25)
    assert recency(-3) == 1.0  # clock skew never lifts a post above "just posted"


def test_velocity_counts_engagement_per_hour() -> None:
    assert velocity(f(age_hours=0, likes=4)) == pytest.approx(2.0)
    assert velocity(f(age_hours=8, likes=4, reposts=3)) == pytest.approx(10 / 10)


def test_newer_beats_older_all_else_equal() -> None:
    assert score(f(age_hours=1)).score > score(f(age_hours=30)).score


def test_each_positive_feature_lifts_the_score() -> None:
    plain = score(f()).score
    for change in (
        {"follows_author": True},
        {"affinity": 4},
        {"follows_topic": True},
        {"topic_interest": 3},
        {"liked_by": ("bo",)},
        {"likes": 20},
        {"trending_topic": True},
        {"trending_post": True},
        {"new_voice": True},
        {"asked_more": ("cycling",)},
        {"author_feedback": 1},
        {"topic_feedback": 1},
    ):
        assert score(f(**change)).score > plain, change


def test_negative_feedback_lowers_and_is_capped() -> None:
    plain = score(f()).score
    assert score(f(author_feedback=-1)).score < plain
    assert score(f(topic_feedback=-1)).score < plain
    assert score(f(asked_less=("cycling",))).score < plain
    assert steering(f(author_feedback=-50)) == pytest.approx(WEIGHTS.author_less**WEIGHTS.feedback_cap)


def test_a_followed_author_shown_less_drops_below_a_stranger() -> None:
    followed_but_steered_away = f(post_id=2, follows_author=True, author_feedback=-2)
    stranger = f(post_id=3, author_id=11, author_handle="bo", likes=3)
    order = [x.post_id for x, _ in rank([followed_but_steered_away, stranger])]
    assert order == [3, 2]


def test_rank_is_total_and_repeatable() -> None:
    same = [f(post_id=i) for i in (4, 9, 7)]
    assert [x.post_id for x, _ in rank(same)] == [9, 7, 4]


# --- diversity ---------------------------------------------------------------------------------------------


def _items(spec: list[tuple[int, int | None]]) -> list[tuple[int, int, int | None]]:
    return [(i, author, topic) for i, (author, topic) in enumerate(spec)]


def test_no_more_than_two_per_author_and_three_per_topic_in_any_window() -> None:
    items = _items([(1, None)] * 6 + [(2, 7)] * 2 + [(3, 7)] * 2 + [(4, 8)] * 2 + [(5, None)] * 3)
    out = diversify(items, author_of=lambda x: x[1], topic_of=lambda x: x[2], window=6)
    for start in range(len(out)):
        window = out[start : start + 6]
        assert max(sum(1 for x in window if x[1] == a) for a in {x[1] for x in window}) <= 2
        topics = [x[2] for x in window if x[2] is not None]
        assert all(topics.count(t) <= 3 for t in topics)
    assert len(out) > 6 and len({x[0] for x in out}) == len(out)


def test_diversity_keeps_rank_order_when_nothing_is_capped() -> None:
    items = _items([(a, a) for a in range(10)])
    assert diversify(items, author_of=lambda x: x[1], topic_of=lambda x: x[2]) == items


def test_what_cannot_fit_is_dropped() -> None:
    items = _items([(1, None)] * 5)
    out = diversify(items, author_of=lambda x: x[1], topic_of=lambda x: x[2], window=20)
    assert [x[0] for x in out] == [0, 1]


def test_a_limit_keeps_the_first_positions_of_the_whole_walk() -> None:
    items = _items([(n % 4, n % 3 or None) for n in range(60)] + [(9, 1)] * 10)
    whole = diversify(items, author_of=lambda x: x[1], topic_of=lambda x: x[2], window=6)
    for limit in (1, 7, 20, len(whole), len(whole) + 5):
        cut = diversify(items, author_of=lambda x: x[1], topic_of=lambda x: x[2], window=6, limit=limit)
        assert cut == whole[:limit]


# --- explanations ------------------------------------------------------------------------------------------


def _why(features: Features) -> list[str]:
    return [r.text for r in explain(features, score(features).reasons).reasons]


def test_explanation_names_the_top_reasons_in_plain_words() -> None:
    assert _why(f(follows_author=True))[0] == "You follow @ana"
    assert _why(f(liked_by=("bo", "cy")))[0] == "@bo and @cy liked this"
    assert _why(f(reposted_by=("bo",)))[0] == "@bo reposted this"
    assert _why(f(trending_post=True))[0] == "Trending"
    assert _why(f(likes=40))[0] == "Popular in topic Cycling"
    assert _why(f(new_voice=True, follows_topic=True))[:2] == [
        "You follow the topic Cycling",
        "New voice in a topic you follow",
    ]


def test_steering_reasons_come_first_and_at_most_three() -> None:
    features = f(follows_author=True, liked_by=("bo",), likes=50, trending_post=True, asked_more=("cycling",))
    why = _why(features)
    assert why[0] == "You asked for more cycling" and len(why) == 3


def test_explanation_never_names_a_feature_that_did_not_count() -> None:
    assert _why(f()) == []
    assert explain(f(), ()).summary == "Recent post"


def test_people_lists_two_and_counts_the_rest() -> None:
    assert people(["a", "b", "c", "d"], "liked") == "@a, @b and 2 others liked this"
    assert people(["a", "b", "c"], "liked") == "@a, @b and 1 other liked this"


# --- Dear Algo ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "more", "less"),
    [
        ("Dear Algo, show me more about cycling", ("cycling",), ()),
        ("less politics", (), ("politics",)),
        ("More #Jazz and hiking, less politics!", ("jazz", "hiking"), ("politics",)),
        (
            "Dear algo: no more crypto posts. I'd like more posts about urban gardening",
            ("urban gardening",),
            ("crypto",),
        ),
        ("don't show me more politics", (), ("politics",)),
        ("not interested in football or cricket", (), ("football", "cricket")),
        ("hello there", (), ()),
    ],
)
def test_requests_are_read_into_terms(text: str, more: tuple[str, ...], less: tuple[str, ...]) -> None:
    parsed = parse_request(text)
    assert (parsed.more, parsed.less) == (more, less)


def test_terms_match_the_topic_or_whole_words() -> None:
    assert matches("cycling", "cycling", "")
    assert matches("cycling", "", "Great Cycling day")
    assert not matches("cycling", "", "Recycling bins")
    assert matches("urban gardening", "", "Urban gardening tips")
