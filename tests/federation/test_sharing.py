"""Settings → Fediverse sharing: turning federation on and off from the web page, what the page explains,
and what turning it off does (a ``Delete`` of the actor to every server that has the profile, fediverse
follows ended, nothing more sent)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from spool.federation.models import Delivery
from spool.identities.models import Follow, FollowRequest
from tests.federation.test_inbound import ADMIN, actor_uri, follow_remote
from tests.federation.test_outbound import remote_follow

PAGE = "/settings/fediverse"


def _go_private(person: Any) -> None:
    response = person.client.patch(
        "/api/spool/v1/accounts/me", json.dumps({"is_private": True}), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def _state(person: Any) -> bool:
    response = person.client.get("/api/spool/v1/federation/me")
    assert response.status_code == 200
    return bool(response.json()["enabled"])


@pytest.fixture
def ana(person: Any) -> Any:
    return person("ana")


def test_a_public_profile_turns_sharing_on_from_the_page(ana: Any) -> None:
    html = ana.client.get(PAGE).content.decode()
    assert "Sharing is off." in html and "Turn on fediverse sharing" in html
    assert "@ana@testserver" in html
    # What travels and what changes on the way are spelled out, from the sender's own table.
    assert "What travels" in html and "The text attachment is sent as a link" in html
    response = ana.client.post(PAGE, {"enabled": "on"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert _state(ana)
    html = ana.client.get(PAGE).content.decode()
    assert "Sharing is on." in html and "Turn off fediverse sharing" in html
    assert (
        ana.client.get(f"/ap/accounts/{ana.id}", HTTP_ACCEPT="application/activity+json").status_code == 200
    )


def test_a_private_profile_is_told_why_it_cannot_share_and_nothing_changes(ana: Any) -> None:
    _go_private(ana)
    html = ana.client.get(PAGE).content.decode()
    assert 'id="private-explanation"' in html and "only public profiles can turn sharing on" in html
    assert 'value="on"' not in html  # no button to press
    response = ana.client.post(PAGE, {"enabled": "on"}, follow=True)
    assert "Only public profiles can join the fediverse" in response.content.decode()
    assert not _state(ana)


def test_a_bad_choice_changes_nothing(ana: Any) -> None:
    response = ana.client.post(PAGE, {"enabled": "maybe"}, follow=True)
    assert "Choose whether to share" in response.content.decode()
    assert not _state(ana)


def test_logged_out_visitors_are_sent_to_sign_in(anon: Any) -> None:
    response = anon.get(PAGE)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert anon.post(PAGE, {"enabled": "on"}).status_code == 302


def test_turning_sharing_off_asks_servers_to_delete_the_profile_and_ends_fediverse_follows(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    ana = federating("ana")
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    fediverse.actor(ADMIN)
    follow_remote(ana, "admin@mastodon.example.org")  # a follow of a fediverse account
    ana.write("a post that travelled")
    html = ana.client.get(PAGE).content.decode()
    assert "1 follower and 1 followed account on other servers" in html

    response = ana.client.post(PAGE, {"enabled": "off"}, follow=True)
    assert "Other servers have been asked to remove your profile" in response.content.decode()
    assert not _state(ana)
    deletes = fediverse.deliveries("Delete")
    assert sorted(d.host for d in deletes) == ["mastodon.example.org", "remote.example"]
    assert all(d.activity["object"] == actor_uri(ana) for d in deletes)
    assert not Follow.objects.filter(follower_id=ana.id).exists()
    assert not Follow.objects.filter(followee_id=ana.id).exists()
    # Nothing else is sent for the follows that ended, nor for anything done afterwards.
    sent = len(fediverse.received)
    assert not fediverse.deliveries("Undo") and not fediverse.deliveries("Reject")
    ana.write("stays on Spool")
    assert len(fediverse.received) == sent
    assert (
        ana.client.get(f"/ap/accounts/{ana.id}", HTTP_ACCEPT="application/activity+json").status_code == 404
    )
    # Turning off what is off sends nothing more.
    ana.client.post(PAGE, {"enabled": "off"})
    assert Delivery.objects.filter(body__type="Delete").count() == 2


def test_turning_off_declines_pending_requests_from_the_fediverse(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    ana = federating("ana")
    _go_private(ana)
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    assert FollowRequest.objects.filter(target_id=ana.id).exists()
    ana.client.post(PAGE, {"enabled": "off"})
    assert not FollowRequest.objects.filter(target_id=ana.id).exists()
    assert [d.host for d in fediverse.deliveries("Delete")] == ["remote.example"]
