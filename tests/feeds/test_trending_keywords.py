"""Trending keywords: words and phrases of public posts' text, counted in hourly buckets by the SQL and the
Redis keyword stores (same tests), scored against each keyword's own baseline on synthetic bursts with
explicit timestamps, with their floors, stop words, the offensive list and moderators' hiding; counted on
commit; shown on /explore and in the native API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import TestCase

from spool.core.errors import Forbidden, ValidationError
from spool.feeds.trending import scoring
from spool.feeds.trending.keyword_trends import KEYWORD_FLOORS
from spool.feeds.trending.keywords import MAX_TERMS, extract_terms
from spool.feeds.trending.models import HiddenKeyword
from spool.feeds.trending.services import (
    hide_trending_keyword,
    refresh_trending,
    unhide_trending_keyword,
)
from spool.feeds.trending.store import ActivityStore, SqlKeywordStore, hour_of, use_keyword_store
from spool.posts.services import create_post

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
NOW_HOUR = hour_of(NOW)


@pytest.fixture(params=["sql", "redis"])
def store(request: Any, db: None) -> Iterator[ActivityStore[str]]:
    if request.param == "sql":
        with use_keyword_store(SqlKeywordStore()) as chosen:
            yield chosen
        return
    if not settings.SPOOL.redis_url:
        pytest.skip("REDIS_URL is not set")
    from spool.feeds.trending.store import RedisKeywordStore

    redis_store = RedisKeywordStore(prefix=f"{settings.KEY_PREFIX}test")
    redis_store.clear()
    with use_keyword_store(redis_store) as chosen:
        yield chosen
    redis_store.clear()


@pytest.fixture
def moderator(people):
    account = people("mod")
    account.user.is_staff = True
    account.user.save(update_fields=["is_staff"])
    return account


def post_text(store, text: str, author: int, hour: int) -> None:
    store.record_many(extract_terms(text), author, hour)


def steady(store, text: str, authors_per_hour: int, *, first_author: int = 1) -> None:
    """``authors_per_hour`` different people write ``text`` every hour of the week up to now."""
    for hour in range(NOW_HOUR - 7 * 24 - scoring.WINDOW_HOURS, NOW_HOUR + 1):
        for n in range(authors_per_hour):
            post_text(store, text, first_author + n, hour)


def burst(store, text: str, authors: int, *, hours: int = 3, posts_each: int = 1, first: int = 1000) -> None:
    for hour in range(NOW_HOUR - hours + 1, NOW_HOUR + 1):
        for n in range(authors):
            for _ in range(posts_each):
                post_text(store, text, first + n, hour)


def trending_terms() -> list[str]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return [k["term"] for k in refresh_trending(NOW)["keywords"]]


# --- extracting keywords (pure) -------------------------------------------------------------------------


def test_words_and_adjacent_pairs_without_stop_words_links_mentions_or_tags():
    text = "The SOLAR eclipse is tonight! See https://ex.com/x @bob #Space — eclipse glasses, it\u2019s 2026"
    assert extract_terms(text) == [
        "solar",
        "solar eclipse",
        "eclipse",
        "tonight",
        "eclipse glasses",
        "glasses",
    ]


def test_terms_are_distinct_and_bounded():
    assert extract_terms("Eclipse eclipse ECLIPSE") == ["eclipse"]
    many = " ".join(f"word{chr(97 + a)}{chr(97 + b)}" for a in range(10) for b in range(10))
    assert len(extract_terms(many)) == MAX_TERMS
    assert extract_terms("a an the of it's 42 2026 ok") == []


# --- the stores -----------------------------------------------------------------------------------------


def test_store_counts_uses_and_distinct_authors_per_hour(store):
    post_text(store, "solar eclipse", 1, NOW_HOUR)
    post_text(store, "solar eclipse again", 1, NOW_HOUR)
    post_text(store, "solar power", 2, NOW_HOUR)
    post_text(store, "solar", 3, NOW_HOUR - 1)
    counts = store.hourly(NOW_HOUR - 1, NOW_HOUR)
    assert counts["solar"] == {NOW_HOUR: (3, 2), NOW_HOUR - 1: (1, 1)}
    assert counts["solar eclipse"] == {NOW_HOUR: (2, 1)}
    assert "solar power" in counts and "eclipse again" not in counts  # "again" is a stop word
    assert store.hourly(NOW_HOUR, NOW_HOUR, ["solar eclipse"]).keys() == {"solar eclipse"}
    assert store.distinct_authors(["solar", "eclipse"], NOW_HOUR - 1, NOW_HOUR) == {"solar": 3, "eclipse": 1}


# --- scoring synthetic bursts ---------------------------------------------------------------------------


def test_a_burst_trends_and_a_steady_busy_word_does_not(store):
    steady(store, "coffee", 10)
    burst(store, "solar eclipse", 6)
    terms = trending_terms()
    assert "solar eclipse" in terms and "eclipse" in terms and "solar" in terms
    assert "coffee" not in terms


def test_floors_on_volume_and_distinct_people(store):
    burst(store, "meteor", KEYWORD_FLOORS.min_authors - 1)  # too few people
    burst(store, "spam", 1, posts_each=50, first=5000)  # one person, many posts
    assert trending_terms() == []
    burst(store, "meteor", 1, first=9000)  # the one more person it needed
    assert trending_terms() == ["meteor"]


def test_offensive_words_never_trend(store):
    burst(store, "faggot parade", 6)
    assert "parade" in trending_terms()
    assert not any("faggot" in t for t in trending_terms())


def test_moderators_hide_a_keyword_and_others_cannot(store, moderator, people):
    burst(store, "eclipse", 6)
    burst(store, "comet", 5, first=2000)
    with pytest.raises(Forbidden):
        hide_trending_keyword(people("ana"), "eclipse")
    with pytest.raises(ValidationError):
        hide_trending_keyword(moderator, "   ")
    with pytest.raises(ValidationError):
        hide_trending_keyword(moderator, "x" * 65)
    assert not HiddenKeyword.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert hide_trending_keyword(moderator, "  ECLIPSE ", reason="spoilers").changed
    assert trending_terms() == ["comet"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert unhide_trending_keyword(moderator, "eclipse").changed
    assert trending_terms() == ["eclipse", "comet"]


# --- counting on commit ---------------------------------------------------------------------------------


def test_public_posts_are_counted_once_committed(store, people):
    from spool.identities.services import update_profile

    ana, bo, cy = people("ana"), people("bo"), people("cy")
    update_profile(cy, is_private=True)
    create_post(ana, text="rolled back eclipse", topic="Sky")  # never commits here
    with TestCase.captureOnCommitCallbacks(execute=True):
        for person in (ana, bo, cy):
            create_post(person, text="Total eclipse!")
    now = hour_of(datetime.now(UTC))
    counted = store.hourly(now - 1, now)
    assert [(c.uses, c.authors) for c in counted["total eclipse"].values()] == [(2, 2)]
    assert "rolled" not in counted


# --- pages and API --------------------------------------------------------------------------------------


def test_explore_shows_trending_keywords_and_moderators_hide_them(store, moderator, people, login):
    burst(store, "solar eclipse", 6)
    trending_terms()
    page = login(people("ana")).get("/explore").content.decode()
    assert "Trending in posts" in page and "/search?q=solar%20eclipse" in page
    assert "explore/hide-keyword" not in page  # not for people who are not moderators
    assert login(people("ana")).post("/explore/hide-keyword", {"keyword": "eclipse"}).status_code == 302
    assert not HiddenKeyword.objects.exists()
    mod = login(moderator)
    assert "explore/hide-keyword" in mod.get("/explore").content.decode()
    assert mod.post("/explore/hide-keyword", {"keyword": "solar eclipse"}).status_code == 302
    assert HiddenKeyword.objects.filter(term="solar eclipse").exists()


def test_moderators_let_a_hidden_keyword_trend_again_from_explore_with_an_audit_entry(
    store, moderator, people, login
):
    from spool.moderation.models import AuditEntry

    burst(store, "solar eclipse", 6)
    trending_terms()
    mod = login(moderator)
    mod.post("/explore/hide-keyword", {"keyword": "Solar Eclipse", "reason": "spoilers"})
    page = mod.get("/explore").content.decode()
    assert "Hidden from trending" in page and "explore/unhide-keyword" in page and "spoilers" in page
    ana = login(people("ana"))
    assert "explore/unhide-keyword" not in ana.get("/explore").content.decode()
    assert ana.post("/explore/unhide-keyword", {"keyword": "solar eclipse"}).status_code == 302
    assert HiddenKeyword.objects.filter(term="solar eclipse").exists()  # not a moderator: nothing changed
    assert mod.post("/explore/unhide-keyword", {"keyword": "  "}).status_code == 302  # no keyword named
    assert HiddenKeyword.objects.filter(term="solar eclipse").exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert mod.post("/explore/unhide-keyword", {"keyword": "SOLAR eclipse"}).status_code == 302
    assert not HiddenKeyword.objects.exists()
    assert "solar eclipse" in trending_terms()
    assert "Hidden from trending" not in mod.get("/explore").content.decode()
    entries = list(AuditEntry.objects.filter(target_type="keyword").order_by("id"))
    assert [(e.verb, e.target_label, e.actor_id, e.note) for e in entries] == [
        ("trending.hide_keyword", "solar eclipse", moderator.id, "spoilers"),
        ("trending.unhide_keyword", "solar eclipse", moderator.id, ""),
    ]
    mod.post("/explore/unhide-keyword", {"keyword": "solar eclipse"})  # already shown: no new entry
    assert AuditEntry.objects.filter(target_type="keyword").count() == 2


def test_the_api_lists_and_hides_keywords(store, moderator, people, login):
    burst(store, "eclipse", 6)
    trending_terms()
    body = login(people("ana")).get("/api/spool/v1/trending/").json()
    assert [k["term"] for k in body["keywords"]] == ["eclipse"] and body["keywords"][0]["authors"] == 6
    refused = login(people("ana")).post(
        "/api/spool/v1/trending/hidden-keywords", {"keyword": "eclipse"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_moderator"
    mod = login(moderator)
    hidden = mod.post(
        "/api/spool/v1/trending/hidden-keywords", {"keyword": "Eclipse"}, content_type="application/json"
    )
    assert hidden.json() == {"keyword": "eclipse", "hidden": True, "changed": True}
    assert mod.get("/api/spool/v1/trending/").json()["keywords"] == []
    shown = mod.delete("/api/spool/v1/trending/hidden-keywords/eclipse").json()
    assert shown == {"keyword": "eclipse", "hidden": False, "changed": True}
