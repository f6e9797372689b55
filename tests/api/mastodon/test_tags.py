"""``/api/v1/tags/:name`` (follow, unfollow) and ``/api/v1/followed_tags``: topics as hashtags, with the
``following`` field true exactly when the caller follows the topic (trends and search say so too)."""

from __future__ import annotations

from django.test import TestCase

from spool.feeds.for_you.models import TopicFollow
from spool.posts.services import create_post
from tests.api.mastodon.shapes import assert_shape


def test_follow_unfollow_and_show(mastodon, anon):
    ana = mastodon("ana")
    create_post(ana.account, text="rides", topic="Cycling")
    shown = ana.get("/api/v1/tags/cycling").json()
    assert_shape("Tag", shown)
    assert shown["name"] == "Cycling" and shown["following"] is False
    assert len(shown["history"]) == 7 and shown["history"][0]["uses"] == "1"
    followed = ana.post("/api/v1/tags/CYCLING/follow")
    assert followed.status_code == 200
    assert_shape("Tag", followed.json())
    assert followed.json()["following"] is True
    assert ana.post("/api/v1/tags/cycling/follow").json()["following"] is True  # idempotent
    assert TopicFollow.objects.filter(account=ana.account).count() == 1
    assert ana.get("/api/v1/tags/Cycling").json()["following"] is True
    assert anon.get("/api/v1/tags/Cycling").json()["following"] is None
    assert ana.post("/api/v1/tags/cycling/unfollow").json()["following"] is False
    assert not TopicFollow.objects.exists()


def test_following_a_new_name_creates_the_topic(mastodon):
    ana = mastodon("ana")
    tag = ana.post("/api/v1/tags/Birdwatching/follow").json()
    assert tag["name"] == "Birdwatching" and tag["following"] is True


def test_refusals(mastodon, anon):
    ana = mastodon("ana")
    reader = mastodon("bo", scopes="read")
    assert ana.get("/api/v1/tags/unknown").status_code == 404
    assert ana.post("/api/v1/tags/unknown/unfollow").status_code == 404
    bad = ana.post("/api/v1/tags/a.b/follow")
    assert bad.status_code == 422 and bad.json()["code"] == "topic_invalid_characters"
    assert anon.post("/api/v1/tags/cycling/follow").status_code == 401
    assert reader.post("/api/v1/tags/cycling/follow").status_code == 403
    assert anon.get("/api/v1/followed_tags").status_code == 401
    assert not TopicFollow.objects.exists()


def test_followed_tags_pages_newest_first(mastodon):
    ana = mastodon("ana")
    for name in ("one", "two", "three"):
        ana.post(f"/api/v1/tags/{name}/follow")
    page = ana.get("/api/v1/followed_tags", limit=2)
    assert_shape("Tag", page.json())
    assert [t["name"] for t in page.json()] == ["three", "two"]
    assert all(t["following"] for t in page.json())
    assert 'rel="next"' in page["Link"]
    last = ana.get("/api/v1/followed_tags", limit=2, max_id=page["Link"].split("max_id=")[1].split(">")[0])
    assert [t["name"] for t in last.json()] == ["one"]


def test_trends_and_search_say_following(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):  # trending counts committed posts
        for person in (ana, bo, cy):  # a burst: three people where the topic had nobody (trending's floor)
            create_post(person.account, text="look up", topic="Eclipse")
    ana.post("/api/v1/tags/eclipse/follow")
    assert ana.get("/api/v1/trends/tags").json()[0]["following"] is True
    assert bo.get("/api/v1/trends/tags").json()[0]["following"] is False
    assert ana.get("/api/v2/search", q="ecl", type="hashtags").json()["hashtags"][0]["following"] is True
