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
