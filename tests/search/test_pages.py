"""The search page (``/search``) and the native API (``/api/spool/v1/search/``), over HTTP."""

from __future__ import annotations

import pytest

from spool.identities.services import block_account
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.services import like_post

API = "/api/spool/v1/search/"


def test_logged_out_visitors_search_every_tab(anon, people, post):
    ana = people("ana", display_name="Ana Gardens")
    post(ana, "my tomato plants", topic="Gardening")
    page = anon.get("/search", {"q": "tomato"})
    assert page.status_code == 200 and b"my tomato plants" in page.content
    assert b'aria-current="page">Top<' in page.content
    profiles = anon.get("/search", {"q": "ana", "tab": "profiles"})
    assert b"@ana" in profiles.content
    tags = anon.get("/search", {"q": "garden", "tab": "tags"})
    assert b"Gardening" in tags.content
    tag_mode = anon.get("/search", {"q": "#gardening", "tab": "recent"})
    assert b"my tomato plants" in tag_mode.content and b"Posts in the topic" in tag_mode.content


def test_an_empty_box_is_just_the_page(anon):
    page = anon.get("/search")
    assert page.status_code == 200 and b'role="search"' in page.content


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 201}, {"q": "ok", "tab": "best"}, {"q": "ok", "media": "gifs"}, {"q": "a", "cursor": "z"}],
)
def test_bad_input_is_a_readable_4xx_page(anon, params):
    page = anon.get("/search", params)
    assert page.status_code == 422 and b'role="alert"' in page.content


def test_blocked_and_hidden_words_stay_out_of_the_page(login, people, post):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    post(bo, "violin lessons by bo")
    post(cy, "violin for sale")
    kept = post(cy, "violin recital tonight")
    block_account(bo, ana)
    create_filter(ana, title="Ads", context=["public"], action="hide", keywords=[KeywordChange("sale")])
    page = login(ana).get("/search", {"q": "violin", "tab": "recent"})
    assert page.content.count(b'class="post') >= 1
    assert b"violin recital tonight" in page.content and f"/post/{kept.id}".encode() in page.content
    assert b"lessons by bo" not in page.content and b"for sale" not in page.content


def test_load_more_with_htmx_appends_the_next_page(anon, people, post):
    ana = people("ana")
    for i in range(25):
        post(ana, f"pinecone {i}")
    first = anon.get("/search", {"q": "pinecone", "tab": "recent"})
    assert b"pinecone 24" in first.content and b"pinecone 4<" not in first.content
    cursor = first.content.split(b"cursor=")[1].split(b'"')[0].decode()
    more = anon.get("/search", {"q": "pinecone", "tab": "recent", "cursor": cursor}, HTTP_HX_REQUEST="true")
    assert b"<html" not in more.content and b"pinecone 0" in more.content


def test_native_api_posts_top_and_recent(client, people, post):
    ana, fan = people("ana"), people("fan")
    popular = post(ana, "harbour lights")
    newer = post(ana, "harbour fog")
    like_post(fan, popular.id)
    top = client.get(API + "posts", {"q": "harbour"}).json()
    assert [p["id"] for p in top["items"]] == [str(popular.id), str(newer.id)]
    recent = client.get(API + "posts", {"q": "harbour", "tab": "recent", "limit": 1}).json()
    assert [p["id"] for p in recent["items"]] == [str(newer.id)] and recent["next_cursor"]
    rest = client.get(
        API + "posts", {"q": "harbour", "tab": "recent", "cursor": recent["next_cursor"]}
    ).json()
    assert [p["id"] for p in rest["items"]] == [str(popular.id)] and rest["next_cursor"] is None


def test_native_api_profiles_and_topics(client, people, post):
    people("ana", display_name="Ana")
    post(people("bo"), "x", topic="Anatomy")
    assert [a["handle"] for a in client.get(API + "profiles", {"q": "@an"}).json()["items"]] == ["ana"]
    topics = client.get(API + "topics", {"q": "#ana"}).json()["items"]
    assert [t["display"] for t in topics] == ["Anatomy"] and topics[0]["url"] == "/topic/anatomy"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("posts", {}, "q"),
        ("posts", {"q": "x" * 201}, "q"),
        ("posts", {"q": "a", "tab": "best"}, "tab"),
        ("posts", {"q": "a", "media": "gif"}, "media"),
        ("posts", {"q": "a", "tab": "recent", "cursor": "-3"}, "cursor"),
        ("posts", {"q": "a", "limit": "many"}, "limit"),
        ("profiles", {"q": " "}, "q"),
        ("topics", {"q": "t", "cursor": "x"}, "cursor"),
    ],
)
def test_native_api_bad_input_is_4xx_json(client, path, params, field):
    response = client.get(API + path, params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] and body["code"] and body["field"] == field


def test_logged_out_post_searches_are_rate_limited_per_address(anon, people, settings):
    from spool.search import reads

    for _ in range(reads.ANONYMOUS_SEARCHES.limit):
        assert anon.get(API + "posts", {"q": "hello"}).status_code == 200
    refused = anon.get(API + "posts", {"q": "hello"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert anon.get(API + "profiles", {"q": "hello"}).status_code == 200  # profiles are not limited


@pytest.mark.parametrize("tab", ["top", "recent"])
def test_a_full_page_costs_the_same_queries_as_a_small_one(login, people, post, tab):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.identities.services import follow_account

    viewer, ana = people("viewer"), people("ana")
    follow_account(viewer, ana)
    c = login(viewer)

    def queries(word: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(API + "posts", {"q": word, "tab": tab}).status_code == 200
        return len(ctx.captured_queries)

    def write(word: str, count: int) -> None:
        # Every kind that costs a query when present: topics, mentions, polls.
        for i in range(count):
            post(ana, f"{word} {i} @viewer", topic="Stones", poll_options=["a", "b"] if i % 2 else None)

    write("few", 3)
    write("many", 25)
    small, large = queries("few"), queries("many")
    assert small == large, (small, large)
    # Session, user, account, index, eligible posts (+ the page's posts on Top), hidden words, batched cards.
    assert large <= 16, large
