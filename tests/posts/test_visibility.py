"""Who sees what, on every read endpoint and list: blocks, private profiles, deactivation, restricted
replies, mutes (feeds only), ghost posts and their replies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spool.posts.models import GhostStatus, Post
from spool.posts.tasks import expire_ghost_posts
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def sightings(viewer: Any, author: str, post: dict[str, Any], *, topic: str = "Seen") -> dict[str, bool]:
    """Where ``viewer`` (a Person or a logged-out client) finds ``post`` by ``author``."""
    client = viewer.client if isinstance(viewer, Person) else viewer
    api = "/api/spool/v1/posts/"
    pid = post["id"]
    found = {
        "post": client.get(f"{api}{pid}").status_code == 200,
        "thread": client.get(f"{api}{pid}/thread").status_code == 200,
        "edits": client.get(f"{api}{pid}/edits").status_code == 200,
        "likers": client.get(f"{api}{pid}/likers").status_code == 200,
        "whats_new": pid in ids(client.get(f"{api}feeds/whats-new")),
        "topic": pid in ids(client.get(f"{api}feeds/topic/{topic}")),
    }
    profile = client.get(f"{api}feeds/profile/{author}")
    found["profile"] = profile.status_code == 200 and pid in ids(profile)
    if isinstance(viewer, Person):
        found["home"] = pid in ids(client.get(f"{api}feeds/home"))
    return found


def test_a_public_post_is_seen_everywhere(ana: Person, bob: Person, anon: Any) -> None:
    bob.follow(ana)
    post = ana.write("Hello", topic="Seen")
    assert all(sightings(bob, "ana", post).values())
    assert all(sightings(anon, "ana", post).values())


def test_blocks_hide_posts_both_ways_everywhere(ana: Person, bob: Person) -> None:
    bob.follow(ana)
    ana.follow(bob)
    post = ana.write("Hello", topic="Seen")
    bobs = bob.write("Hi", topic="Seen")
    ana.block(bob)
    assert not any(sightings(bob, "ana", post).values())
    assert not any(sightings(ana, "bob", bobs).values())


def test_private_posts_only_reach_followers(ana: Person, bob: Person, cy: Person, anon: Any) -> None:
    ana.go_private()
    post = ana.write("Friends only", topic="Seen")
    for outsider in (cy, anon):
        assert not any(sightings(outsider, "ana", post).values())
    bob.follow(ana)
    assert not any(sightings(bob, "ana", post).values())  # only requested so far
    ana.approve(bob)
    seen = sightings(bob, "ana", post)
    assert seen.pop("whats_new") is False  # what's new is public posts only
    assert all(seen.values())
    own = sightings(ana, "ana", post)
    own.pop("whats_new")
    assert all(own.values())


def test_replies_in_a_private_thread_stay_in_it(ana: Person, bob: Person, cy: Person) -> None:
    ana.go_private()
    bob.follow(ana)
    ana.approve(bob)
    root = ana.write("Friends only")
    reply = bob.reply(root, "public person replying")
    assert cy.see(reply).status_code == 404
    assert ids(cy.get("feeds/profile/bob", tab="replies")) == []
    assert bob.see(reply).status_code == 200


def test_deactivated_authors_disappear(ana: Person, bob: Person, anon: Any) -> None:
    bob.follow(ana)
    post = ana.write("Hello", topic="Seen")
    ana.deactivate()
    assert not any(sightings(bob, "ana", post).values())
    assert not any(sightings(anon, "ana", post).values())


def test_mutes_leave_feeds_but_not_the_profile(ana: Person, bob: Person) -> None:
    bob.follow(ana)
    post = ana.write("Hello", topic="Seen")
    bob.mute(ana)
    seen = sightings(bob, "ana", post)
    assert {k for k, v in seen.items() if not v} == {"home", "whats_new", "topic"}


def test_restricted_replies_are_seen_by_the_replier_and_the_restricter(
    ana: Person, bob: Person, cy: Person
) -> None:
    root = ana.write("Root")
    ana.restrict(bob)
    reply = bob.reply(root, "restricted reply")
    assert bob.see(reply).status_code == 200
    assert ana.see(reply).status_code == 200
    assert cy.see(reply).status_code == 404
    assert cy.get(f"{root['id']}/thread").json()["replies"] == []
    assert len(ana.get(f"{root['id']}/thread").json()["replies"]) == 1


def test_ghost_posts_hide_counts_and_replies_from_others(ana: Person, bob: Person, cy: Person) -> None:
    ghost = ana.write("Boo", ghost=True)
    bob.act(ghost, "like")
    reply = bob.reply(ghost, "I saw it")
    others = cy.view(ghost)
    assert others["likes_count"] is None and others["replies_count"] is None
    assert cy.see(reply).status_code == 404
    assert cy.get(f"{ghost['id']}/thread").json()["replies"] == []
    assert cy.get(f"{ghost['id']}/likers").status_code == 403
    mine = ana.view(ghost)
    assert mine["likes_count"] == 1 and mine["replies_count"] == 1
    assert [r["post"]["id"] for r in ana.get(f"{ghost['id']}/thread").json()["replies"]] == [reply["id"]]
    assert [a["handle"] for a in ana.get(f"{ghost['id']}/likers").json()["items"]] == ["bob"]
    assert bob.see(reply).status_code == 200


def test_the_task_archives_ghost_posts_after_24_hours(ana: Person, bob: Person) -> None:
    ghost = ana.write("Boo", ghost=True)
    assert expire_ghost_posts() == 0
    Post.objects.filter(id=ghost["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_ghost_posts.delay().get() == 1
    assert Post.objects.get(id=ghost["id"]).ghost == GhostStatus.ARCHIVED
    assert bob.see(ghost).status_code == 404
    assert ids(bob.get("feeds/profile/ana")) == []
    archived = ana.view(ghost)
    assert archived["ghost_archived"] is True
    assert ana.try_post("late", reply_to_id=ghost["id"]).status_code == 403


def test_deleting_a_ghost_post_deletes_its_private_conversation(ana: Person, bob: Person) -> None:
    ghost = ana.write("Boo", ghost=True)
    reply = bob.reply(ghost, "psst")
    ana.send("delete", ghost["id"])
    assert bob.see(reply).status_code == 404
    assert Post.objects.count() == 0
    assert bob.account.posts_count == 0


def test_quotes_of_posts_you_cannot_see_are_marked_unavailable(ana: Person, bob: Person, cy: Person) -> None:
    original = ana.write("Original")
    quote = bob.write("Look", quote_of_id=original["id"])
    ana.block(cy)
    seen = cy.view(quote)
    assert seen["quote"] is None and seen["quote_unavailable"] is True
    assert bob.view(quote)["quote"]["id"] == original["id"]
