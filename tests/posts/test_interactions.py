"""Likes, reposts and saves: idempotent, counters exact, events published once."""

from __future__ import annotations

import pytest

from spool.core.events import _in_transaction, subscribe
from spool.core.ratelimit import hit
from spool.posts.events import PostLiked, PostReposted
from spool.posts.models import Like, Repost, Save
from spool.posts.services.interactions import LIKE_LIMIT
from tests.posts.conftest import Person
from tests.posts.test_compose import refused

pytestmark = pytest.mark.django_db


def test_like_unlike_and_double_like_keep_the_count_exact(ana: Person, bob: Person, cy: Person) -> None:
    liked: list[PostLiked] = []
    subscribe(PostLiked, liked.append)
    try:
        post = ana.write("Like me")
        first = bob.act(post, "like").json()
        assert first["likes_count"] == 1 and first["viewer_liked"] is True
        assert bob.act(post, "like").json()["likes_count"] == 1
        assert cy.act(post, "like").json()["likes_count"] == 2
        after = bob.act(post, "unlike").json()
        assert after["likes_count"] == 1 and after["viewer_liked"] is False
        assert bob.act(post, "unlike").json()["likes_count"] == 1
    finally:
        _in_transaction[PostLiked].remove(liked.append)
    assert len(liked) == 2 and Like.objects.count() == 1
    assert [a["handle"] for a in ana.get(f"{post['id']}/likers").json()["items"]] == ["cy"]


def test_reposts_are_idempotent_and_counted(ana: Person, bob: Person) -> None:
    reposted: list[PostReposted] = []
    subscribe(PostReposted, reposted.append)
    try:
        post = ana.write("Share me")
        assert bob.act(post, "repost").json()["reposts_count"] == 1
        assert bob.act(post, "repost").json()["viewer_reposted"] is True
        assert ana.view(post)["reposts_count"] == 1
        assert bob.act(post, "unrepost").json()["reposts_count"] == 0
        assert bob.act(post, "unrepost").json()["reposts_count"] == 0
    finally:
        _in_transaction[PostReposted].remove(reposted.append)
    assert len(reposted) == 1 and Repost.objects.count() == 0


def test_private_and_ghost_posts_cannot_be_reposted(ana: Person, bob: Person) -> None:
    ghost = ana.write("Boo", ghost=True)
    refused(bob.act(ghost, "repost"), 422, "not_repostable")
    ana.go_private()
    bob.follow(ana)
    ana.approve(bob)
    private = ana.write("Friends only")
    refused(bob.act(private, "repost"), 422, "not_repostable")
    refused(bob.try_post("quote", quote_of_id=private["id"]), 422, "not_quotable", "quote_of_id")
    assert ana.act(private, "repost").status_code == 200  # your own is fine


def test_saves_are_private_and_idempotent(ana: Person, bob: Person) -> None:
    post = ana.write("Save me")
    assert bob.act(post, "save").json()["viewer_saved"] is True
    assert bob.act(post, "save").status_code == 200
    assert Save.objects.count() == 1
    assert ana.view(post)["viewer_saved"] is False
    assert bob.act(post, "unsave").json()["viewer_saved"] is False
    assert Save.objects.count() == 0


def test_likes_are_rate_limited(ana: Person, bob: Person) -> None:
    post = ana.write("x")
    # 999 likes used up elsewhere today (counted by the same limiter the service uses).
    for _ in range(LIKE_LIMIT.limit - 1):
        hit(LIKE_LIMIT, bob.id)
    assert bob.act(post, "like").status_code == 200
    assert bob.act(post, "like").status_code == 200  # a no-op like does not count
    refused(bob.act(ana.write("y"), "like"), 429, "rate_limited")
    assert Like.objects.count() == 1


def test_acting_on_a_missing_post_is_404(bob: Person) -> None:
    for verb in ("like", "unlike", "repost", "unrepost", "save", "unsave", "hide", "unhide"):
        refused(bob.act("123", verb), 404, "not_found")
    refused(bob.act("not-a-number", "like"), 404, "not_found")
