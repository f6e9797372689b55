"""Counting a post for trending is idempotent — a per-post marker written with the counts — so the task is
retried on database and Redis errors and a retry never counts a post twice. On both stores: the SQL tables
(a ``CountedPost`` row in the counts' transaction) and Redis (one script setting a marker key with them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError
from redis.exceptions import RedisError

from spool.feeds.tasks import count_for_trending
from spool.feeds.trending.keywords import extract_terms
from spool.feeds.trending.models import CountedPost
from spool.feeds.trending.store import (
    ActivityStore,
    CountedUse,
    RedisActivityStore,
    RedisKeywordStore,
    SqlActivityStore,
    SqlKeywordStore,
    count_post_once,
    count_posts_once,
    hour_of,
    use_activity_store,
    use_keyword_store,
)
from spool.identities.models import Account
from spool.posts.services import create_post
from spool.posts.services.topics import topic_for

TEXT = "total solar eclipse tonight"
Stores = tuple[ActivityStore[int], ActivityStore[str]]


@pytest.fixture(params=["sql", "redis"])
def stores(request: Any, db: None) -> Iterator[Stores]:
    if request.param == "sql":
        topics: Any = SqlActivityStore()
        keywords: Any = SqlKeywordStore()
    else:
        if not settings.SPOOL.redis_url:
            pytest.skip("REDIS_URL is not set")
        topics = RedisActivityStore(prefix=f"{settings.KEY_PREFIX}test")
        keywords = RedisKeywordStore(prefix=f"{settings.KEY_PREFIX}test")
        topics.clear()
        keywords.clear()
    with use_activity_store(topics), use_keyword_store(keywords):
        yield topics, keywords
    if request.param == "redis":
        topics.clear()
        keywords.clear()


def _counts(stores: Stores) -> tuple[list[tuple[int, int]], dict[str, list[tuple[int, int]]]]:
    topics, keywords = stores
    now = hour_of(datetime.now(UTC))
    topic = topics.hourly(now - 1, now + 1).get(topic_for("Eclipse").id, {})
    terms = keywords.hourly(now - 1, now + 1, extract_terms(TEXT))
    return (
        [(c.uses, c.authors) for c in topic.values()],
        {term: [(c.uses, c.authors) for c in hours.values()] for term, hours in terms.items()},
    )


def test_running_the_task_twice_counts_the_post_once(stores: Stores, people: Callable[..., Account]) -> None:
    # Created without running its after-commit work: the test runs the task, as a worker (or a retry) would.
    post = create_post(people("ana"), text=TEXT, topic="Eclipse")
    assert _counts(stores) == ([], {})
    count_for_trending.delay(post.pk)
    once = _counts(stores)
    assert once[0] == [(1, 1)]
    assert set(once[1]) == set(extract_terms(TEXT)) and all(v == [(1, 1)] for v in once[1].values())
    count_for_trending.delay(post.pk)
    count_for_trending.delay(post.pk)
    assert _counts(stores) == once


def test_the_marker_is_per_post(stores: Stores, people: Callable[..., Account]) -> None:
    ana = people("ana")
    first = create_post(ana, text=TEXT, topic="Eclipse")
    second = create_post(ana, text=TEXT, topic="Eclipse")
    hour = hour_of(first.created_at)
    topic = topic_for("Eclipse").id
    assert count_post_once(first.pk, ana.pk, hour, topic, extract_terms(TEXT)) is True
    assert count_post_once(first.pk, ana.pk, hour, topic, extract_terms(TEXT)) is False
    assert count_post_once(second.pk, ana.pk, hour, topic, extract_terms(TEXT)) is True
    topic_counts, term_counts = _counts(stores)
    assert topic_counts == [(2, 1)] and all(v == [(2, 1)] for v in term_counts.values())


def test_a_batch_of_posts_counts_as_they_would_one_by_one(
    stores: Stores, people: Callable[..., Account]
) -> None:
    """An inbox batch's posts are counted at once: each once (one named twice, or counted before, is not
    counted again), the same author's uses of a topic or keyword in an hour counting one author."""
    ana, ben = people("ana"), people("ben")
    posts = [create_post(author, text=TEXT, topic="Eclipse") for author in (ana, ana, ben)]
    topic = topic_for("Eclipse").id
    uses = [
        CountedUse(post.pk, post.author_id, hour_of(post.created_at), topic, extract_terms(TEXT))
        for post in posts
    ]
    assert count_posts_once(uses[:1]) == [True]
    assert count_posts_once([*uses, uses[1]]) == [False, True, True, False]
    topic_counts, term_counts = _counts(stores)
    assert topic_counts == [(3, 2)]
    assert set(term_counts) == set(extract_terms(TEXT)) and all(v == [(3, 2)] for v in term_counts.values())


def test_the_task_is_retried_on_database_and_redis_errors() -> None:
    assert set(count_for_trending.autoretry_for) == {DatabaseError, RedisError}
    assert count_for_trending.max_retries and count_for_trending.max_retries > 0


def test_sql_markers_are_pruned_with_the_buckets(people: Callable[..., Account]) -> None:
    post = create_post(people("ana"), text=TEXT, topic="Eclipse")
    store = SqlActivityStore()
    hour = hour_of(post.created_at)
    with use_activity_store(store), use_keyword_store(SqlKeywordStore()):
        assert count_post_once(post.pk, post.author_id, hour, None, [])
    store.prune(hour)
    assert CountedPost.objects.filter(post_id=post.pk).exists()
    store.prune(hour_of(post.created_at + timedelta(hours=1)))
    assert not CountedPost.objects.exists()


def test_redis_registers_the_post_script_once_per_store(
    stores: Stores, people: Callable[..., Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Redis store registers its counting script when made: counting posts registers nothing more."""
    topics, _ = stores
    if not isinstance(topics, RedisActivityStore):
        pytest.skip("the SQL stores run no script")
    registered: list[str] = []
    register = topics.redis.register_script
    monkeypatch.setattr(topics.redis, "register_script", lambda s: registered.append(s) or register(s))
    ana = people("ana")
    topic = topic_for("Eclipse").id
    for post in [create_post(ana, text=TEXT, topic="Eclipse") for _ in range(3)]:
        assert count_post_once(post.pk, ana.pk, hour_of(post.created_at), topic, extract_terms(TEXT))
    assert registered == []
    assert _counts(stores)[0] == [(3, 1)]


def test_the_count_follows_the_operators_silenced_servers_as_they_change(
    stores: Stores, settings: Any
) -> None:
    """The batch read is compiled once per process; the servers the settings silence are part of what it
    was compiled for, so a change to them is seen by the next count (posts from a silenced server are not
    counted: trending leaves out limited servers)."""
    from spool.feeds.trending.services import count_posts

    remote = Account.objects.create(handle="far", domain="limited.example")
    first, second = (create_post(remote, text=TEXT, topic="Eclipse") for _ in range(2))
    kept = list(settings.SPOOL.federation_silenced_domains)
    try:
        settings.SPOOL.federation_silenced_domains = ["limited.example"]
        assert count_posts([first.pk]) == 0
        settings.SPOOL.federation_silenced_domains = []
        assert count_posts([first.pk, second.pk]) == 2
    finally:
        settings.SPOOL.federation_silenced_domains = kept
