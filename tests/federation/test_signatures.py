"""HTTP Signatures on the inbox: only a correctly signed, fresh, untampered POST is stored — every refusal
leaves the inbox exactly as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from spool.federation.models import DomainBlock, InboxItem
from spool.federation.signatures import http_date
from spool.identities.models import Follow
from tests.federation.conftest import captured, deliver_to_inbox
from tests.federation.fediverse import signed_headers

ADMIN = "http://mastodon.example.org/users/admin"


@pytest.fixture
def follow_of_ana(federating: Any, fediverse: Any) -> tuple[Any, Any, dict[str, Any]]:
    ana = federating("ana")
    admin = fediverse.actor(ADMIN)
    activity = captured("mastodon/follow")
    activity["object"] = f"http://testserver/ap/accounts/{ana.id}"
    return ana, admin, activity


def _state() -> tuple[int, int]:
    return InboxItem.objects.count(), Follow.objects.count()


def _post(client: Any, body: bytes, headers: dict[str, str], path: str = "/ap/inbox") -> Any:
    return client.post(path, body, content_type="application/activity+json", **headers)


def test_a_valid_signature_is_stored_answered_202_and_processed(
    anon: Any, follow_of_ana: Any, spool_config: Any
) -> None:
    ana, admin, activity = follow_of_ana
    response = deliver_to_inbox(anon, admin, activity)
    assert response.status_code == 202, response.content
    item = InboxItem.objects.get()
    assert item.activity_id == activity["id"] and item.state == "done"
    assert Follow.objects.filter(followee_id=ana.id, follower__domain="mastodon.example.org").exists()


def test_the_personal_inbox_takes_signed_posts_too(anon: Any, follow_of_ana: Any, spool_config: Any) -> None:
    ana, admin, activity = follow_of_ana
    response = deliver_to_inbox(anon, admin, activity, path=f"/ap/accounts/{ana.id}/inbox")
    assert response.status_code == 202
    assert Follow.objects.filter(followee_id=ana.id).count() == 1


def test_a_tampered_body_is_refused(anon: Any, follow_of_ana: Any) -> None:
    _, admin, activity = follow_of_ana
    body = json.dumps(activity).encode()
    headers = signed_headers(admin, "/ap/inbox", body)
    before = _state()
    response = _post(anon, body.replace(b"Follow", b"Block!"), headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_digest"
    assert _state() == before


def test_a_signature_by_another_key_is_refused(anon: Any, follow_of_ana: Any, fediverse: Any) -> None:
    _, admin, activity = follow_of_ana
    impostor = fediverse.actor("http://mastodon.example.org/users/impostor")
    body = json.dumps(activity).encode()
    headers = signed_headers(impostor, "/ap/inbox", body)
    # The impostor signs with their own key but claims the admin's key id.
    headers["HTTP_SIGNATURE"] = headers["HTTP_SIGNATURE"].replace(impostor.key_id, admin.key_id)
    before = _state()
    response = _post(anon, body, headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert _state() == before


def test_an_activity_whose_actor_is_not_the_signer_is_refused(
    anon: Any, follow_of_ana: Any, fediverse: Any
) -> None:
    _, _, activity = follow_of_ana
    other = fediverse.actor("http://mastodon.example.org/users/other")
    before = _state()
    response = deliver_to_inbox(anon, other, activity)  # signed by other, claims admin as actor
    assert response.status_code == 401 and response.json()["code"] == "actor_mismatch"
    assert _state() == before


def test_a_stale_date_is_refused(anon: Any, follow_of_ana: Any, monkeypatch: Any) -> None:
    _, admin, activity = follow_of_ana
    old = datetime.now(UTC) - timedelta(hours=13)
    monkeypatch.setattr("spool.federation.signatures.http_date", lambda moment=None: http_date(old))
    body = json.dumps(activity).encode()
    headers = signed_headers(admin, "/ap/inbox", body)
    monkeypatch.undo()
    before = _state()
    response = _post(anon, body, headers)
    assert response.status_code == 401 and response.json()["code"] == "stale_date"
    assert _state() == before


def test_an_unsigned_post_is_refused(anon: Any, follow_of_ana: Any) -> None:
    _, _, activity = follow_of_ana
    before = _state()
    response = _post(anon, json.dumps(activity).encode(), {})
    assert response.status_code == 401 and response.json()["code"] == "unsigned"
    assert _state() == before


def test_a_replayed_delivery_is_processed_once(anon: Any, follow_of_ana: Any, spool_config: Any) -> None:
    ana, admin, activity = follow_of_ana
    body = json.dumps(activity).encode()
    headers = signed_headers(admin, "/ap/inbox", body)
    first = _post(anon, body, headers)
    replay = _post(anon, body, headers)
    again = deliver_to_inbox(anon, admin, activity)  # same activity id, freshly signed
    assert (first.status_code, replay.status_code, again.status_code) == (202, 202, 202)
    assert InboxItem.objects.count() == 1
    assert Follow.objects.filter(followee_id=ana.id).count() == 1
    assert anon.get(f"/ap/accounts/{ana.id}/followers").json()["totalItems"] == 1


def test_blocked_domains_are_refused_before_the_body_is_read(anon: Any, follow_of_ana: Any) -> None:
    _, admin, activity = follow_of_ana
    DomainBlock.objects.create(domain="example.org")  # a parent domain blocks its subdomains too
    before = _state()
    response = deliver_to_inbox(anon, admin, activity)
    assert response.status_code == 403 and response.json()["code"] == "blocked_domain"
    assert _state() == before


def test_oversized_bodies_are_refused(anon: Any, follow_of_ana: Any, spool_config: Any) -> None:
    _, admin, activity = follow_of_ana
    spool_config.federation_max_body_bytes = 512
    activity["padding"] = "x" * 1000
    before = _state()
    response = deliver_to_inbox(anon, admin, activity)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert _state() == before


def test_a_rotated_key_is_picked_up_by_refetching_the_actor_once(
    anon: Any, follow_of_ana: Any, fediverse: Any, spool_config: Any
) -> None:
    ana, admin, activity = follow_of_ana
    assert deliver_to_inbox(anon, admin, {**activity, "id": f"{activity['id']}-a"}).status_code == 202
    rotated = fediverse.actor(ADMIN)  # same actor id, a new key pair, served from now on
    undo = {
        "id": f"{ADMIN}#follows/2/undo",
        "type": "Undo",
        "actor": ADMIN,
        "object": {**activity, "id": f"{activity['id']}-a"},
    }
    response = deliver_to_inbox(anon, rotated, undo)
    assert response.status_code == 202, response.content
    assert not Follow.objects.filter(followee_id=ana.id).exists()
