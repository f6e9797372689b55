"""``/api/v1/trends``: tags with history, statuses by engagement, links empty; open to anonymous visitors."""

from __future__ import annotations

from django.test import TestCase

from spool.posts.services import create_post, like_post
from tests.api.mastodon.shapes import assert_shape


def test_trending_tags_with_history(mastodon, anon):
    crowd = [mastodon(f"p{n}") for n in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):  # trending counts committed posts
        for person in crowd:
            create_post(person.account, text="look up", topic="Eclipse")
        create_post(crowd[0].account, text="alone", topic="Quiet")
    tags = anon.get("/api/v1/trends/tags").json()
    assert_shape("Tag", tags)
    assert [t["name"] for t in tags] == ["Eclipse"]
    assert len(tags[0]["history"]) == 7 and tags[0]["history"][0]["accounts"] == "3"
    assert crowd[0].get("/api/v1/trends/tags", limit=1, offset=1).json() == []
    assert anon.get("/api/v1/trends/tags", {"limit": "x"}).status_code == 422


def test_trending_statuses_and_links(mastodon, anon):
    ana, bo = mastodon("ana"), mastodon("bo")
    create_post(ana.account, text="quiet")
    liked = create_post(ana.account, text="liked")
    like_post(bo.account, liked.id)
    statuses = anon.get("/api/v1/trends/statuses").json()
    assert_shape("Status", statuses)
    assert [s["id"] for s in statuses] == [str(liked.id)]
    assert [s["id"] for s in bo.get("/api/v1/trends/statuses").json()] == [str(liked.id)]
    assert anon.get("/api/v1/trends/links").json() == []


def test_trending_statuses_read_the_precomputed_pool(mastodon, anon):
    """The endpoint reads the ``trending_posts`` pool the beat job keeps: a post liked after the pool was
    computed shows once the job runs again; the queries do not grow with the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.feeds.for_you.pools import refresh_candidate_pools

    ana, bo = mastodon("ana"), mastodon("bo")
    posts = [create_post(ana.account, text=f"post {n}") for n in range(6)]
    for post in posts[:5]:
        like_post(bo.account, post.id)
    refresh_candidate_pools()
    like_post(bo.account, posts[5].id)
    assert str(posts[5].id) not in {s["id"] for s in anon.get("/api/v1/trends/statuses").json()}
    refresh_candidate_pools()
    assert str(posts[5].id) in {s["id"] for s in anon.get("/api/v1/trends/statuses").json()}
    bo.get("/api/v1/trends/statuses")  # the token's first read is remembered: measure warm requests
    counts = []
    for limit in (1, 6):
        with CaptureQueriesContext(connection) as captured:
            assert len(bo.get("/api/v1/trends/statuses", limit=limit).json()) == limit
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_trending_tags_history_comes_with_the_snapshot(mastodon, anon):
    """The week of history is computed by the trending refresh and read back with the snapshot: a page of
    tags reads no post, whether it shows one tag or two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.feeds.trending.services import refresh_trending

    crowd = [mastodon(f"p{n}") for n in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        for person in crowd:
            create_post(person.account, text="look up", topic="Eclipse")
            create_post(person.account, text="look around", topic="Comet")
    with TestCase.captureOnCommitCallbacks(execute=True):
        refresh_trending()
    counts = []
    for limit in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            tags = anon.get("/api/v1/trends/tags", {"limit": limit}).json()
        assert len(tags) == limit and tags[0]["history"][0]["uses"] == "3"
        assert not [q["sql"] for q in captured.captured_queries if '"posts_post"' in q["sql"]]
        counts.append(len(captured))
    assert counts[0] == counts[1]
