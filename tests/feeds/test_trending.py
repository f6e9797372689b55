"""Trending now: hourly activity buckets (SQL and Redis stores, same tests), scoring against each topic's own
baseline on synthetic bursts with explicit timestamps, the floors and the cap, moderators' hiding, reports,
counting on commit and the cached read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import TestCase

from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.feeds.trending import scoring
from spool.feeds.trending.models import HiddenTopic, TopicReport
from spool.feeds.trending.services import (
    current_trending,
    hide_trending_topic,
    refresh_trending,
    report_trending_topic,
    unhide_trending_topic,
)
from spool.feeds.trending.store import ActivityStore, hour_of, use_activity_store
from spool.posts.services import create_post
from spool.posts.services.topics import topic_for

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
NOW_HOUR = hour_of(NOW)


@pytest.fixture(params=["sql", "redis"])
def store(request: Any, db: None) -> Iterator[ActivityStore]:
    if request.param == "sql":
        from spool.feeds.trending.store import SqlActivityStore

        with use_activity_store(SqlActivityStore()) as chosen:
            yield chosen
        return
    if not settings.SPOOL.redis_url:
        pytest.skip("REDIS_URL is not set")
    from spool.feeds.trending.store import RedisActivityStore

    redis_store = RedisActivityStore(prefix=f"{settings.KEY_PREFIX}test")
    redis_store.clear()
    with use_activity_store(redis_store) as chosen:
        yield chosen
    redis_store.clear()


def steady(store: ActivityStore, topic: str, authors_per_hour: int, *, days: int = 7, first_author: int = 1):
    """``authors_per_hour`` different people use ``topic`` every hour for ``days`` days up to now."""
    topic_id = topic_for(topic).id
    for hour in range(NOW_HOUR - days * 24 - scoring.WINDOW_HOURS, NOW_HOUR + 1):
        for n in range(authors_per_hour):
            store.record(topic_id, first_author + n, hour)
    return topic_id


def burst(
    store: ActivityStore, topic: str, authors: int, *, hours: int = 3, posts_each: int = 1, first: int = 1000
):
    topic_id = topic_for(topic).id
    for hour in range(NOW_HOUR - hours + 1, NOW_HOUR + 1):
        for n in range(authors):
            for _ in range(posts_each):
                store.record(topic_id, first + n, hour)
    return topic_id


def trending_names() -> list[str]:
    from spool.posts.models import Topic

    with TestCase.captureOnCommitCallbacks(execute=True):
        ids = [t["topic_id"] for t in refresh_trending(NOW)["topics"]]
    topics = Topic.objects.in_bulk(ids)
    return [topics[i].display for i in ids]


def test_store_counts_uses_and_distinct_authors_per_hour_and_window(store):
    store.record(7, 1, NOW_HOUR)
    store.record(7, 1, NOW_HOUR)
    store.record(7, 2, NOW_HOUR)
    store.record(7, 1, NOW_HOUR - 1)
    store.record(8, 3, NOW_HOUR - 30)
    found = store.hourly(NOW_HOUR - 2, NOW_HOUR)
    assert found == {7: {NOW_HOUR: (3, 2), NOW_HOUR - 1: (1, 1)}}
    assert store.distinct_authors([7, 8], NOW_HOUR - 2, NOW_HOUR) == {7: 2}
    assert store.hourly(NOW_HOUR - 40, NOW_HOUR, [8]) == {8: {NOW_HOUR - 30: (1, 1)}}


def test_a_burst_over_its_own_baseline_trends_and_a_steady_high_topic_does_not(store):
    steady(store, "Coffee", 10)  # busy, every hour, all week
    steady(store, "Football", 4, first_author=100)
    burst(store, "Football", 12, first=200)  # on top of its usual four an hour
    burst(store, "Eclipse", 4)  # from nothing
    # From nothing to 4 people an hour beats 4 to 16 against a steady 4 (z 12 vs 10); Coffee stays put.
    assert trending_names() == ["Eclipse", "Football"]
    football = current_trending()["topics"][1]
    assert (football["authors"], football["uses"], football["baseline"]) == (16, 48, 12.0)


def test_at_most_five_topics_trend_best_first(store):
    for n in range(7):
        burst(store, f"Burst{n}", 3 + n, first=1000 * (n + 1))
    assert trending_names() == [f"Burst{n}" for n in (6, 5, 4, 3, 2)]


def test_one_spammer_or_two_friends_cannot_make_a_topic_trend(store):
    burst(store, "Spam", 1, posts_each=50)
    burst(store, "Pair", 2, posts_each=10)
    burst(store, "Crowd", 3)
    assert trending_names() == ["Crowd"]


def test_old_activity_outside_the_window_does_not_trend(store):
    topic_id = topic_for("Yesterday").id
    for n in range(20):
        store.record(topic_id, n, NOW_HOUR - 10)
    assert trending_names() == []


def test_scoring_is_a_z_score_with_a_poisson_floor():
    z, mean = scoring.burst_z(30, [30] * 56)
    assert (z, mean) == (0.0, 30.0)
    z, _ = scoring.burst_z(6, [0] * 56)
    assert z == 6.0
    z, mean = scoring.burst_z(60, [30] * 56)
    assert mean == 30 and z == pytest.approx(30 / 31**0.5)


@pytest.fixture
def moderator(people):
    account = people("mod")
    account.user.is_staff = True
    account.user.save(update_fields=["is_staff"])
    return account


def test_moderators_hide_a_topic_from_trending_and_others_cannot(store, moderator, people):
    burst(store, "Eclipse", 5)
    burst(store, "Comet", 4)
    with pytest.raises(Forbidden):
        hide_trending_topic(people("ana"), "Eclipse")
    assert not HiddenTopic.objects.exists()
    with pytest.raises(ValidationError):
        hide_trending_topic(moderator, "Eclipse", reason="x" * 501)
    with pytest.raises(NotFound):
        hide_trending_topic(moderator, "Nonexistent")
    assert not HiddenTopic.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert hide_trending_topic(moderator, "#eclipse", reason="spoilers").changed
    assert trending_names() == ["Comet"]
    assert [t["topic_id"] for t in current_trending()["topics"]] == [topic_for("Comet").id]
    unhide_trending_topic(moderator, "Eclipse")
    assert trending_names() == ["Eclipse", "Comet"]


def test_people_report_a_trending_topic_once(store, people):
    burst(store, "Eclipse", 5)
    refresh_trending(NOW)
    ana = people("ana")
    with pytest.raises(NotFound):
        report_trending_topic(ana, "Coffee")
    topic_for("Coffee")
    with pytest.raises(NotFound):  # exists, but does not trend
        report_trending_topic(ana, "Coffee")
    with pytest.raises(ValidationError):
        report_trending_topic(ana, "Eclipse", reason="y" * 501)
    assert not TopicReport.objects.exists()
    first = report_trending_topic(ana, "Eclipse", reason="misleading")
    assert report_trending_topic(ana, "Eclipse", reason="again") == first
    assert TopicReport.objects.get().reason == "misleading"


def test_posts_are_counted_once_committed_and_only_when_public(store, people):
    """Counting runs in the task the commit enqueues (eager in tests), through the store in use."""
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    from spool.identities.services import update_profile

    update_profile(cy, is_private=True)
    create_post(ana, text="rolled back work is never counted", topic="Eclipse")  # never commits here
    with TestCase.captureOnCommitCallbacks(execute=True):
        for person in (ana, bo, cy):
            create_post(person, text="look up", topic="Eclipse")
        create_post(ana, text="no topic")
    counted = store.hourly(hour_of(datetime.now(UTC)) - 1, hour_of(datetime.now(UTC)))
    assert [(c.uses, c.authors) for c in counted[topic_for("Eclipse").id].values()] == [(2, 2)]


def test_a_post_published_over_the_api_is_counted(store, people, login):
    client = login(people("ana"))  # runs the request's after-commit work, as a real commit would
    response = client.post(
        "/api/spool/v1/posts/", {"text": "look up", "topic": "Eclipse"}, content_type="application/json"
    )
    assert response.status_code in (200, 201), response.content
    counted = store.hourly(hour_of(datetime.now(UTC)) - 1, hour_of(datetime.now(UTC)))
    assert [(c.uses, c.authors) for c in counted[topic_for("Eclipse").id].values()] == [(1, 1)]


def test_reading_trending_is_a_cache_hit(store, django_assert_num_queries):
    burst(store, "Eclipse", 5)
    with TestCase.captureOnCommitCallbacks(execute=True):
        refresh_trending(NOW)
    with django_assert_num_queries(0):
        assert len(current_trending()["topics"]) == 1
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(1):  # the snapshot row, then cached again
        current_trending()
    with django_assert_num_queries(0):
        current_trending()
