"""Follow, follow requests, block, mute and restrict through the accounts API, with exact counters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spool.core.events import subscribe
from spool.identities import events
from spool.identities.models import Account, Block, Follow, FollowRequest
from tests.identities.people import API, Person


def counts(person: Person) -> tuple[int, int]:
    account = Account.objects.get(pk=person.id)
    return account.followers_count, account.following_count


def rel(viewer: Person, other: Person) -> dict[str, Any]:
    response = viewer.get("relationships", handles=other.handle)
    assert response.status_code == 200, response.content
    (only,) = response.json()
    return only


@pytest.fixture
def published() -> list[Any]:
    """Events published while the test runs (subscribing is the public way to observe them)."""
    seen: list[Any] = []
    for event_type in (
        events.Followed, events.Unfollowed, events.FollowRequested, events.FollowRequestWithdrawn,
        events.FollowRequestApproved, events.FollowRequestDeclined, events.Blocked, events.Unblocked,
    ):  # fmt: skip
        subscribe(event_type, seen.append)
    yield seen
    from spool.core import events as core_events

    for handlers in core_events._in_transaction.values():
        if seen.append in handlers:
            handlers.remove(seen.append)


# --- Follow a public profile ----------------------------------------------------------------------


def test_follow_and_unfollow_a_public_profile(person: Callable[..., Person], published: list[Any]) -> None:
    ana, bea = person("ana"), person("bea")
    response = ana.post("bea/follow")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "following"
    assert body["relationship"]["following"] is True
    assert counts(ana) == (0, 1)
    assert counts(bea) == (1, 0)
    assert rel(bea, ana)["followed_by"] is True
    assert published == [events.Followed(follower_id=ana.id, followee_id=bea.id)]

    # Following again changes nothing.
    assert ana.post("bea/follow").json()["state"] == "following"
    assert counts(bea) == (1, 0)
    assert len(published) == 1

    response = ana.post("bea/unfollow")
    assert response.status_code == 200
    assert response.json()["following"] is False
    assert counts(ana) == (0, 0)
    assert counts(bea) == (0, 0)
    assert published[-1] == events.Unfollowed(follower_id=ana.id, followee_id=bea.id)
    # Unfollowing again changes nothing either.
    assert ana.post("bea/unfollow").status_code == 200
    assert counts(bea) == (0, 0)


def test_counters_stay_exact_with_many_followers(person: Callable[..., Person]) -> None:
    bea = person("bea")
    fans = [person(f"fan{i}") for i in range(5)]
    for fan in fans:
        fan.post("bea/follow")
    assert counts(bea) == (5, 0)
    fans[0].post("bea/unfollow")
    fans[1].post("bea/unfollow")
    fans[1].post("bea/unfollow")
    assert counts(bea) == (3, 0)
    assert bea.profile("bea")["followers_count"] == 3


def test_you_cannot_follow_or_block_yourself(person: Callable[..., Person]) -> None:
    ana = person("ana")
    for verb in ("follow", "block", "mute", "restrict"):
        response = ana.post(f"ana/{verb}")
        assert response.status_code == 422, verb
        assert response.json()["code"] == f"cannot_{verb}_self"
        assert "yourself" in response.json()["error"]
    assert counts(ana) == (0, 0)
    assert not Block.objects.exists()


def test_following_someone_unknown_is_404(person: Callable[..., Person]) -> None:
    ana = person("ana")
    assert ana.post("nobody/follow").status_code == 404


def test_signed_out_visitors_cannot_follow(person: Callable[..., Person], anon: Any) -> None:
    person("bea")
    assert anon.post(API + "bea/follow").status_code == 401


# --- Private profiles and follow requests ---------------------------------------------------------


def test_private_profile_follow_becomes_a_request_then_approved(
    person: Callable[..., Person], published: list[Any]
) -> None:
    ana, bea = person("ana"), person("bea")
    bea.patch("me", {"is_private": True})
    response = ana.post("bea/follow")
    assert response.json()["state"] == "requested"
    assert response.json()["relationship"]["requested"] is True
    assert counts(bea) == (0, 0)
    assert published == [events.FollowRequested(requester_id=ana.id, target_id=bea.id)]
    # Asking twice is still one request.
    assert ana.post("bea/follow").json()["state"] == "requested"
    assert FollowRequest.objects.count() == 1

    listed = bea.get("me/follow_requests").json()
    assert [a["handle"] for a in listed["items"]] == ["ana"]
    assert rel(bea, ana)["requested_by"] is True

    response = bea.post("me/follow_requests/ana/approve")
    assert response.status_code == 200, response.content
    assert response.json()["followed_by"] is True
    assert counts(bea) == (1, 0)
    assert counts(ana) == (0, 1)
    assert rel(ana, bea)["following"] is True
    assert rel(ana, bea)["requested"] is False
    assert bea.get("me/follow_requests").json()["items"] == []
    assert published[-2:] == [
        events.Followed(follower_id=ana.id, followee_id=bea.id, via_request=True),
        events.FollowRequestApproved(requester_id=ana.id, target_id=bea.id),
    ]
    # Nothing left to approve.
    response = bea.post("me/follow_requests/ana/approve")
    assert response.status_code == 404
    assert response.json()["code"] == "no_follow_request"
    assert counts(bea) == (1, 0)


def test_declined_request_leaves_no_follow(person: Callable[..., Person], published: list[Any]) -> None:
    ana, bea = person("ana"), person("bea")
    bea.patch("me", {"is_private": True})
    ana.post("bea/follow")
    response = bea.post("me/follow_requests/ana/decline")
    assert response.status_code == 200
    assert response.json()["requested_by"] is False
    assert counts(bea) == (0, 0)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()
    assert published[-1] == events.FollowRequestDeclined(requester_id=ana.id, target_id=bea.id)
    assert bea.post("me/follow_requests/ana/decline").status_code == 404
    assert bea.post("me/follow_requests/nobody/decline").status_code == 404


def test_unfollow_withdraws_a_pending_request(person: Callable[..., Person], published: list[Any]) -> None:
    ana, bea = person("ana"), person("bea")
    bea.patch("me", {"is_private": True})
    ana.post("bea/follow")
    assert ana.post("bea/unfollow").json()["requested"] is False
    assert not FollowRequest.objects.exists()
    assert published[-1] == events.FollowRequestWithdrawn(requester_id=ana.id, target_id=bea.id)


def test_making_a_profile_public_approves_pending_requests(person: Callable[..., Person]) -> None:
    bea = person("bea")
    bea.patch("me", {"is_private": True})
    fans = [person(f"fan{i}") for i in range(3)]
    for fan in fans:
        fan.post("bea/follow")
    assert counts(bea) == (0, 0)
    assert bea.patch("me", {"is_private": False}).json()["followers_count"] == 3
    assert counts(bea) == (3, 0)
    assert all(counts(fan) == (0, 1) for fan in fans)
    assert not FollowRequest.objects.exists()


def test_private_profile_lists_are_hidden_from_non_followers(
    person: Callable[..., Person], anon: Any
) -> None:
    ana, bea, cy = person("ana"), person("bea"), person("cy")
    cy.post("bea/follow")
    bea.patch("me", {"is_private": True})
    # The profile itself shows; its lists do not.
    assert anon.get(API + "bea").status_code == 200
    for viewer in (anon, ana.client):
        for which in ("followers", "following"):
            response = viewer.get(API + f"bea/{which}")
            assert response.status_code == 403
            assert response.json()["code"] == "private_profile"
    # An approved follower and the owner see them.
    assert [a["handle"] for a in cy.get("bea/followers").json()["items"]] == ["cy"]
    assert [a["handle"] for a in bea.get("bea/followers").json()["items"]] == ["cy"]


def test_follower_lists_page_with_a_cursor(person: Callable[..., Person], anon: Any) -> None:
    bea = person("bea")
    fans = [person(f"fan{i}") for i in range(5)]
    for fan in fans:
        fan.post("bea/follow")
    first = anon.get(API + "bea/followers", {"limit": 2}).json()
    assert [a["handle"] for a in first["items"]] == ["fan4", "fan3"]
    second = anon.get(API + "bea/followers", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["handle"] for a in second["items"]] == ["fan2", "fan1"]
    third = anon.get(API + "bea/followers", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [a["handle"] for a in third["items"]] == ["fan0"]
    assert third["next_cursor"] is None
    assert [a["handle"] for a in anon.get(API + "fan0/following").json()["items"]] == ["bea"]
    response = anon.get(API + "bea/followers", {"cursor": "nonsense"})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"
    assert bea.get("bea/followers").status_code == 200


# --- Block ----------------------------------------------------------------------------------------


def test_block_removes_follows_both_ways_and_hides_both_profiles(
    person: Callable[..., Person], published: list[Any]
) -> None:
    ana, bea, cy = person("ana"), person("bea"), person("cy")
    ana.post("bea/follow")
    bea.post("ana/follow")
    cy.post("ana/follow")
    assert counts(ana) == (2, 1)
    assert counts(bea) == (1, 1)

    response = ana.post("bea/block")
    assert response.status_code == 200, response.content
    assert response.json()["blocking"] is True
    assert response.json()["following"] is False
    assert response.json()["followed_by"] is False
    assert counts(ana) == (1, 0)  # cy still follows ana
    assert counts(bea) == (0, 0)
    assert {type(e) for e in published[-3:]} == {events.Unfollowed, events.Blocked}

    # Hidden both ways, as if missing.
    assert bea.get("ana").status_code == 404
    assert ana.get("bea").status_code == 404
    assert bea.get("ana/followers").status_code == 404
    # Each is left out of lists the other reads.
    cy.post("bea/follow")
    assert [a["handle"] for a in cy.get("cy/following").json()["items"]] == ["bea", "ana"]
    assert [a["handle"] for a in ana.get("cy/following").json()["items"]] == ["ana"]
    assert [a["handle"] for a in bea.get("cy/following").json()["items"]] == ["bea"]
    # Relationships say blocked, on both sides.
    assert rel(ana, bea)["blocking"] is True
    assert rel(bea, ana)["blocked_by"] is True

    # Neither can follow the other.
    response = bea.post("ana/follow")
    assert response.status_code == 404
    assert not Follow.objects.filter(follower_id=bea.id, followee_id=ana.id).exists()


def test_block_removes_follow_requests_both_ways(person: Callable[..., Person]) -> None:
    ana, bea = person("ana"), person("bea")
    ana.patch("me", {"is_private": True})
    bea.patch("me", {"is_private": True})
    ana.post("bea/follow")
    bea.post("ana/follow")
    assert FollowRequest.objects.count() == 2
    bea.post("ana/block")
    assert not FollowRequest.objects.exists()
    assert ana.get("me/follow_requests").json()["items"] == []


def test_unblock_shows_again_without_restoring_follows(person: Callable[..., Person]) -> None:
    ana, bea = person("ana"), person("bea")
    ana.post("bea/follow")
    ana.post("bea/block")
    # The blocked person cannot unblock (they cannot see the blocker at all).
    assert bea.post("ana/unblock").status_code == 404
    response = ana.post("bea/unblock")
    assert response.status_code == 200, response.content
    assert response.json()["blocking"] is False
    assert response.json()["following"] is False
    assert bea.get("ana").status_code == 200
    assert counts(bea) == (0, 0)
    assert ana.post("bea/follow").json()["state"] == "following"


def test_blocking_twice_and_unblocking_twice_change_nothing(
    person: Callable[..., Person], published: list[Any]
) -> None:
    ana = person("ana")
    person("bea")
    ana.post("bea/block")
    assert ana.post("bea/block").status_code == 200
    assert Block.objects.count() == 1
    assert sum(isinstance(e, events.Blocked) for e in published) == 1
    ana.post("bea/unblock")
    assert ana.post("bea/unblock").status_code == 200  # nothing left to undo
    assert sum(isinstance(e, events.Unblocked) for e in published) == 1


def test_the_blocker_cannot_follow_until_unblocking(person: Callable[..., Person]) -> None:
    from spool.core.errors import Conflict
    from spool.identities.services import follow_account

    ana, bea = person("ana"), person("bea")
    ana.post("bea/block")
    with pytest.raises(Conflict) as info:
        follow_account(Account.objects.get(pk=ana.id), Account.objects.get(pk=bea.id))
    assert info.value.code == "blocking"


# --- Mute and restrict ----------------------------------------------------------------------------


def test_mute_and_restrict_and_their_undo(person: Callable[..., Person]) -> None:
    ana, bea = person("ana"), person("bea")
    ana.post("bea/follow")
    assert ana.post("bea/mute").json()["muting"] is True
    assert ana.post("bea/restrict").json()["restricting"] is True
    # Neither touches the follow, and the other side sees nothing of it.
    assert rel(ana, bea)["following"] is True
    other_side = rel(bea, ana)
    assert other_side["followed_by"] is True
    assert set(other_side) >= {"muting", "restricting"}
    assert not other_side["muting"] and not other_side["restricting"]
    assert ana.post("bea/mute").status_code == 200  # twice is fine
    assert ana.post("bea/unmute").json()["muting"] is False
    assert ana.post("bea/unrestrict").json()["restricting"] is False
    assert ana.post("bea/unmute").status_code == 200
    assert counts(bea) == (1, 0)


def test_relationships_endpoint_checks_its_input(person: Callable[..., Person]) -> None:
    ana = person("ana")
    person("bea")
    assert ana.get("relationships").status_code == 422
    too_many = ",".join(f"h{i}" for i in range(41))
    response = ana.get("relationships", handles=too_many)
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_handles"
    body = ana.get("relationships", handles="bea,nobody,BEA,@bea").json()
    assert [r["handle"] for r in body] == ["bea"]
