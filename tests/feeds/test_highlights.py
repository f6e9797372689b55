"""Highlights of trending topics (trending discussions by engagement velocity, influential voices normalised
by audience) and where people see them: the Explore page (logged out too, pinned query counts) and the
native API, with reports and moderators' hiding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spool.feeds.trending.highlights import (
    VOICES_PER_TOPIC,
    engagement_velocity,
    influential_voices,
    voice_score,
)
from spool.feeds.trending.models import HiddenTopic, TopicReport
from spool.feeds.trending.services import refresh_trending
from spool.identities.models import Account
from spool.identities.services import block_account
from spool.posts.models import Post
from spool.posts.services import create_post, like_post

API = "/api/spool/v1/trending/"


def committed_post(author, topic, text="look up", hours_ago=0, **options):
    with TestCase.captureOnCommitCallbacks(execute=True):
        post = create_post(author, text=text, topic=topic, **options)
    if hours_ago:
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return post


def refresh():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return refresh_trending()


@pytest.fixture
def eclipse(people):
    """A topic trending now: four people posted about it, with a few liked threads."""
    small, big, ana, bo = people("small"), people("big"), people("ana"), people("bo")
    Account.objects.filter(pk=big.pk).update(followers_count=10_000)
    fans = [people(f"fan{n}") for n in range(6)]
    old = committed_post(big, "Eclipse", "the big one", hours_ago=30)
    fresh = committed_post(small, "Eclipse", "it is starting")
    committed_post(ana, "Eclipse", "nobody liked this")
    me_too = committed_post(bo, "Eclipse", "me too")
    committed_post(fans[0], "Eclipse", "a reply", reply_to_id=fresh.id)
    for fan in fans:
        like_post(fan, old.id)
    for fan in fans[1:3]:
        like_post(fan, fresh.id)
    like_post(small, fresh.id)  # one's own like counts for nothing
    like_post(fans[0], me_too.id)  # one engager is not a voice (but a fresh like is velocity)
    return {"old": old, "fresh": fresh, "me_too": me_too, "small": small, "big": big}


def test_velocity_and_voice_maths():
    assert engagement_velocity(2, 0) > engagement_velocity(6, 30)
    assert voice_score(20, 50) > voice_score(200, 10_000)


def test_highlights_pick_fast_discussions_and_voices_normalised_by_audience(eclipse, anon):
    data = refresh()
    (trend,) = data["topics"]
    # Velocity: 3 likes + a reply just now, 1 like just now, then 6 likes 30 hours ago; silence never.
    assert trend["posts"] == [eclipse["fresh"].id, eclipse["me_too"].id, eclipse["old"].id]
    assert trend["voices"] == [eclipse["small"].id, eclipse["big"].id]
    body = anon.get(API).json()
    (topic,) = body["topics"]
    assert topic["topic"]["display"] == "Eclipse" and topic["authors"] == 5
    assert [p["id"] for p in topic["discussions"]] == [str(eclipse[k].id) for k in ("fresh", "me_too", "old")]
    assert [v["handle"] for v in topic["voices"]] == ["small", "big"]


def test_highlights_respect_the_viewer(eclipse, people, login):
    refresh()
    viewer = people("viewer")
    block_account(viewer, eclipse["small"])
    (topic,) = login(viewer).get(API).json()["topics"]
    assert [v["handle"] for v in topic["voices"]] == ["big"]
    assert [p["id"] for p in topic["discussions"]] == [str(eclipse["me_too"].id), str(eclipse["old"].id)]


def test_the_explore_page_is_readable_logged_out(eclipse, anon):
    refresh()
    page = anon.get("/explore")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Trending now" in body and "Eclipse" in body and "5 people posting" in body
    assert "it is starting" in body and "the big one" in body and "nobody liked this" not in body
    assert "@small" in body and "Report this topic" not in body
    assert 'href="/explore"' in anon.get("/new").content.decode()  # linked from the navigation


def test_the_explore_page_says_when_nothing_trends(anon):
    assert "Nothing is trending right now." in anon.get("/explore").content.decode()


def _explore_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/explore").status_code == 200
    return len(ctx.captured_queries)


# Session, user, account; topics, posts, the batched card loading (likes, media, polls, mentions), voices.
EXPLORE_QUERIES = 11


def test_the_explore_page_costs_the_same_queries_whatever_trends(eclipse, people, login, anon):
    viewer = login(people("viewer"))
    refresh()
    one_topic = _explore_queries(viewer)
    crowd = [people(f"p{n}") for n in range(4)]
    for topic in ("Comet", "Meteor", "Aurora"):
        posts = [committed_post(person, topic) for person in crowd]
        for person in crowd[1:]:
            like_post(person, posts[0].id)
    assert len(refresh()["topics"]) == 4
    assert _explore_queries(viewer) == one_topic == EXPLORE_QUERIES
    assert _explore_queries(anon) <= one_topic


def test_reports_and_hiding_through_the_page_and_the_api(eclipse, people, login):
    refresh()
    ana = login(people("ana"))
    refused = ana.post(
        f"{API}reports", {"topic": "Eclipse", "reason": "x" * 501}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    missing = ana.post(f"{API}reports", {"topic": "Nope"}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["field"] == "topic"
    assert not TopicReport.objects.exists()
    made = ana.post(
        f"{API}reports", {"topic": "Eclipse", "reason": "spoilers"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["topic"]["display"] == "Eclipse"
    page = ana.post("/explore/report", {"topic": "eclipse", "reason": "again"}, follow=True)
    assert "Thanks" in page.content.decode() and TopicReport.objects.count() == 1
    assert ana.post(f"{API}hidden", {"topic": "Eclipse"}, content_type="application/json").status_code == 403
    assert (
        ana.post("/explore/hide", {"topic": "Eclipse"}).status_code == 302
        and not HiddenTopic.objects.exists()
    )
    staff = people("staff")
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    moderator = login(staff)
    assert "Hide from trending" in moderator.get("/explore").content.decode()
    hidden = moderator.post(
        f"{API}hidden", {"topic": "Eclipse", "reason": "spam"}, content_type="application/json"
    )
    assert hidden.json() == {
        "topic": {"name": "eclipse", "display": "Eclipse", "url": "/topic/Eclipse"},
        "hidden": True,
        "changed": True,
    }
    assert ana.get(API).json()["topics"] == []
    assert "Eclipse" not in ana.get("/explore").content.decode()
    assert moderator.delete(f"{API}hidden/Eclipse").json()["hidden"] is False
    assert [t["topic"]["display"] for t in ana.get(API).json()["topics"]] == ["Eclipse"]


def test_a_voice_is_found_past_authors_whose_counters_promised_more(people):
    """Voices are counted for the best bounds by the counters first: a voice behind more authors than are
    counted at first (each liked by themselves and one other person, so their counters say two people and
    they have one) is still found."""
    voice = people("voice")
    post = committed_post(voice, "Quasar", "a real discussion")
    for fan in (people("fan1"), people("fan2")):
        like_post(fan, post.id)
    for n in range(VOICES_PER_TOPIC * 4 + 1):
        decoy = people(f"decoy{n}")
        own = committed_post(decoy, "Quasar", "liked by myself")
        like_post(decoy, own.id)
        like_post(voice, own.id)
    assert influential_voices([post.topic_id], timezone.now()) == {post.topic_id: [voice.id]}
