"""Blocking a server at ``/moderation/servers`` ends every follow and pending request between local people
and its accounts (its subdomains and ports included), both ways, with the counts updated, and its accounts'
posts leave every timeline at once — also for blocks set in the environment, which have no moment of
blocking. Another server's accounts are untouched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from spool.identities.models import Account, Follow, FollowRequest
from spool.identities.services import follow_account
from spool.identities.services.remote import upsert_remote_account
from spool.posts.services.remote import receive_remote_post
from tests.api.mastodon.conftest import token_client
from tests.posts.conftest import Person

BLOCKED = "blocked.example"
OPEN = "open.example"


@dataclass
class World:
    ana: Person
    far: Account  # on the server to block
    sub: Account  # on a subdomain of it, with a port
    near: Account  # on another server
    far_post: int
    sub_post: int
    near_post: int


@pytest.fixture
def admin(person: Callable[..., Person]) -> Person:
    from django.core.management import call_command

    someone = person("boss")
    call_command("grant_role", "boss", "admin")
    return someone


@pytest.fixture
def world(person: Callable[..., Person], django_capture_on_commit_callbacks: Any) -> World:
    ana, cy = person("ana"), person("cy")
    cy.go_private()
    with django_capture_on_commit_callbacks(execute=True):
        far = upsert_remote_account(handle="far", domain=BLOCKED)
        sub = upsert_remote_account(handle="sub", domain=f"eu.{BLOCKED}:8443")
        near = upsert_remote_account(handle="near", domain=OPEN)
        locked = upsert_remote_account(handle="locked", domain=BLOCKED, is_private=True)
        for remote in (far, sub, near):
            follow_account(ana.account, remote)  # ana follows them
            follow_account(remote, ana.account)  # and they follow ana
        follow_account(ana.account, locked)  # a pending request from here
        follow_account(far, cy.account)  # a pending request to here (cy is private)
        posts = [receive_remote_post(a, text=f"news from {a.domain}") for a in (far, sub, near)]
    assert FollowRequest.objects.count() == 2
    return World(ana, far, sub, near, *(p.id for p in posts))


def _home(person: Person) -> set[int]:
    response = token_client(person.account).get("/api/v1/timelines/home")
    assert response.status_code == 200, response.content
    return {int(status["id"]) for status in response.json()}


def _counts(person: Person) -> tuple[int, int]:
    account = Account.objects.get(pk=person.id)
    return account.followers_count, account.following_count


def test_blocking_a_server_ends_follows_both_ways_and_empties_timelines(admin: Person, world: World) -> None:
    w = world
    assert {w.far_post, w.sub_post, w.near_post} <= _home(w.ana)
    assert _counts(w.ana) == (3, 3)

    response = admin.client.post("/moderation/servers/change", {"domain": BLOCKED, "action": "block"})
    assert response.status_code == 302

    blocked = [w.far.pk, w.sub.pk]
    assert not Follow.objects.filter(follower_id__in=blocked).exists()
    assert not Follow.objects.filter(followee_id__in=blocked).exists()
    assert not FollowRequest.objects.exists()  # both pending requests, either way
    assert Follow.objects.filter(follower_id=w.ana.id, followee=w.near).exists()
    assert Follow.objects.filter(follower=w.near, followee_id=w.ana.id).exists()
    assert _counts(w.ana) == (1, 1)
    assert Account.objects.get(pk=w.far.pk).following_count == 0

    home = _home(w.ana)
    assert w.near_post in home and w.far_post not in home and w.sub_post not in home
    assert w.ana.see(w.far_post).status_code == 404
    assert token_client(w.ana.account).get(f"/api/v1/statuses/{w.sub_post}").status_code == 404


def test_lifting_the_block_shows_the_posts_again_but_not_the_follows(admin: Person, world: World) -> None:
    w = world
    change = "/moderation/servers/change"
    admin.client.post(change, {"domain": BLOCKED, "action": "block"})
    admin.client.post(change, {"domain": BLOCKED, "action": "block", "lift": "1"})
    assert w.ana.see(w.far_post).status_code == 200
    assert not Follow.objects.filter(follower_id=w.ana.id, followee=w.far).exists()  # ended, not paused


def test_a_block_from_the_environment_hides_posts_at_read_time(world: World, spool_config: Any) -> None:
    """The environment is read when the process starts; the hot home query, compiled once per process,
    keeps what it read then, so this looks through the post page and the status API."""
    w = world
    api = token_client(w.ana.account)
    spool_config.federation_blocked_domains = [BLOCKED]
    assert w.ana.see(w.far_post).status_code == 404
    assert api.get(f"/api/v1/statuses/{w.sub_post}").status_code == 404
    assert w.ana.see(w.near_post).status_code == 200
    spool_config.federation_blocked_domains = []
    assert w.ana.see(w.far_post).status_code == 200


def test_only_admins_block(person: Callable[..., Person], world: World) -> None:
    nobody = person("nobody")
    response = nobody.client.post("/moderation/servers/change", {"domain": BLOCKED, "action": "block"})
    assert response.status_code == 404
    assert Follow.objects.filter(follower_id=world.ana.id, followee=world.far).exists()
