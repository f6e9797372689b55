"""``/api/v1/follow_requests``: a private account's pending requests, authorised or rejected."""

from __future__ import annotations

from typing import Any

from spool.identities.models import Follow, FollowRequest
from spool.identities.services import follow_account, update_profile
from tests.api.mastodon.shapes import assert_shape

REQUESTS = "/api/v1/follow_requests"


def test_list_authorize_and_reject(mastodon: Any) -> None:
    cy = mastodon("cy")
    update_profile(cy.account, is_private=True)
    ana, bo, dee = mastodon("ana"), mastodon("bo"), mastodon("dee")
    for other in (ana, bo, dee):
        follow_account(other.account, cy.account)

    response = cy.client.get(REQUESTS, {"limit": 2})
    assert response.status_code == 200
    assert_shape("Account", response.json())
    assert [a["username"] for a in response.json()] == ["dee", "bo"]
    assert 'rel="next"' in response["Link"]

    authorised = cy.post(f"{REQUESTS}/{ana.account.pk}/authorize")
    assert authorised.status_code == 200
    assert_shape("Relationship", authorised.json())
    assert authorised.json()["followed_by"] is True
    rejected = cy.post(f"{REQUESTS}/{bo.account.pk}/reject")
    assert rejected.status_code == 200 and rejected.json()["requested_by"] is False
    assert Follow.objects.filter(follower=ana.account, followee=cy.account).exists()
    assert not Follow.objects.filter(follower=bo.account).exists()
    assert list(FollowRequest.objects.values_list("requester__handle", flat=True)) == ["dee"]


def test_refusals_change_nothing(mastodon: Any) -> None:
    cy, ana = mastodon("cy"), mastodon("ana")
    update_profile(cy.account, is_private=True)
    follow_account(ana.account, cy.account)
    assert cy.post(f"{REQUESTS}/424242/authorize").status_code == 404
    assert cy.post(f"{REQUESTS}/not-an-id/reject").status_code == 404
    assert ana.post(f"{REQUESTS}/{cy.account.pk}/authorize").status_code == 404  # no request that way round
    assert mastodon("cy", scopes="read").post(f"{REQUESTS}/{ana.account.pk}/authorize").status_code == 403
    assert mastodon("cy", scopes="write").get(REQUESTS).status_code == 403
    assert FollowRequest.objects.count() == 1 and not Follow.objects.exists()
