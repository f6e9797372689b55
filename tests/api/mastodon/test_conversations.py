"""``/api/v1/conversations``: direct-message conversations as Mastodon ``Conversation`` entities, with the
newest message as a read-only ``direct`` pseudo-status; scopes, pagination, read and delete."""

from __future__ import annotations

import pytest

from spool.identities.services import follow_account
from spool.messaging import services
from spool.messaging.models import Membership
from tests.api.mastodon.shapes import assert_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(mastodon):
    ana, bob, cy = mastodon("ana"), mastodon("bob"), mastodon("cy")
    follow_account(bob.account, ana.account)
    follow_account(cy.account, ana.account)
    return ana, bob, cy


def test_list_shows_conversations_with_the_last_message(people, on_commit):
    ana, bob, cy = people
    first = services.start_conversation(ana.account, bob.account, text="hello <bob>")
    services.create_group(ana.account, "Trio", [bob.account.pk, cy.account.pk])
    response = bob.get("/api/v1/conversations")
    assert response.status_code == 200
    body = response.json()
    assert_shape("Conversation", body)
    group, direct = body
    assert direct["id"] == str(first.conversation_id) and direct["unread"] is True
    assert [a["acct"] for a in direct["accounts"]] == ["ana"]
    status = direct["last_status"]
    assert status["visibility"] == "direct" and status["content"] == "<p>hello &lt;bob&gt;</p>"
    assert status["account"]["acct"] == "ana" and [m["acct"] for m in status["mentions"]] == ["ana"]
    assert sorted(a["acct"] for a in group["accounts"]) == ["ana", "cy"]
    assert group["last_status"]["content"] == "<p>ana created the group</p>"


def test_requests_stay_out_of_the_mastodon_list(mastodon, on_commit):
    ana, dee = mastodon("ana"), mastodon("dee")
    services.start_conversation(dee.account, ana.account, text="hi stranger")
    assert ana.get("/api/v1/conversations").json() == []
    assert len(dee.get("/api/v1/conversations").json()) == 1


def test_pagination_with_link_header(people, mastodon, on_commit):
    ana, *_ = people
    others = [mastodon(f"p{i}") for i in range(3)]
    for other in others:
        follow_account(other.account, ana.account)
        services.start_conversation(ana.account, other.account, text="hi")
    first = ana.get("/api/v1/conversations", limit=2)
    assert len(first.json()) == 2 and 'rel="next"' in first["Link"]
    max_id = first["Link"].split("max_id=")[1].split(">")[0]
    rest = ana.get("/api/v1/conversations", limit=2, max_id=max_id).json()
    assert [c["accounts"][0]["acct"] for c in first.json() + rest] == ["p2", "p1", "p0"]


def test_mark_read_and_delete(people, on_commit):
    ana, bob, _ = people
    message = services.start_conversation(ana.account, bob.account, text="read me")
    cid = message.conversation_id
    response = bob.post(f"/api/v1/conversations/{cid}/read")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert_shape("Conversation", response.json())
    assert bob.delete(f"/api/v1/conversations/{cid}").json() == {}
    assert bob.get("/api/v1/conversations").json() == []
    assert len(ana.get("/api/v1/conversations").json()) == 1


def test_scopes_and_missing_conversations(people, mastodon, on_commit):
    ana, bob, cy = people
    message = services.start_conversation(ana.account, bob.account, text="private")
    cid = message.conversation_id
    reader = mastodon("bob", scopes="read:statuses")
    assert reader.get("/api/v1/conversations").status_code == 200
    assert reader.post(f"/api/v1/conversations/{cid}/read").status_code == 403
    assert mastodon("bob", scopes="read:accounts").get("/api/v1/conversations").status_code == 403
    assert mastodon(None).get("/api/v1/conversations").json()["code"] == "user_required"  # an app token
    assert bob.client.get("/api/v1/conversations", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    # Someone outside the conversation: 404, nothing changes.
    assert cy.post(f"/api/v1/conversations/{cid}/read").status_code == 404
    assert cy.delete(f"/api/v1/conversations/{cid}").status_code == 404
    assert bob.delete("/api/v1/conversations/nope").status_code == 404
    assert Membership.objects.get(conversation_id=cid, account=bob.account).cleared_before_id == 0
