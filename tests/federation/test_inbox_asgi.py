"""The inboxes as the server runs them: through Spool's ASGI application, where they take a route of their
own (``spool.core.asgi_sync``), with the same checks as every other way in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from spool.asgi import application
from spool.federation.models import DomainBlock, InboxItem
from spool.identities.models import Follow
from tests.federation.conftest import captured
from tests.federation.fediverse import signed_headers

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN = "http://mastodon.example.org/users/admin"


def _post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST through the ASGI application; the status and the JSON answered (``{}`` when none)."""
    sent = [(b"host", b"testserver"), (b"content-type", b"application/activity+json")]
    sent += [(name[5:].replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    communicator = HttpCommunicator(application, "POST", path, body, sent)
    # Generous: in tests the accepted activity is processed (actor fetched, Accept sent) before the answer.
    response = async_to_sync(communicator.get_response)(timeout=30)
    return response["status"], json.loads(response["body"] or b"{}")


def _follow(federating: Any, fediverse: Any) -> tuple[Any, Any, dict[str, Any], bytes]:
    ana = federating("ana")
    admin = fediverse.actor(ADMIN)
    activity = captured("mastodon/follow")
    activity["object"] = f"http://testserver/ap/accounts/{ana.id}"
    return ana, admin, activity, json.dumps(activity).encode()


def test_a_signed_post_to_the_personal_inbox_is_stored_and_processed(
    federating: Any, fediverse: Any, spool_config: Any
) -> None:
    ana, admin, activity, body = _follow(federating, fediverse)
    path = f"/ap/accounts/{ana.id}/inbox"
    status, _ = _post(path, body, signed_headers(admin, path, body))
    assert status == 202
    assert InboxItem.objects.get().activity_id == activity["id"]
    assert Follow.objects.filter(followee_id=ana.id, follower__domain="mastodon.example.org").exists()


def test_unsigned_tampered_oversized_and_blocked_posts_change_nothing(
    federating: Any, fediverse: Any, spool_config: Any
) -> None:
    _, admin, activity, body = _follow(federating, fediverse)
    headers = signed_headers(admin, "/ap/inbox", body)
    spool_config.federation_max_body_bytes = 512
    large = json.dumps({**activity, "padding": "x" * 1000}).encode()  # sent without a Content-Length
    assert _post("/ap/inbox", large, signed_headers(admin, "/ap/inbox", large))[1]["code"] == "too_large"
    spool_config.federation_max_body_bytes = 256 * 1024
    assert _post("/ap/inbox", body, {}) == (401, {"error": "This request is not signed.", "code": "unsigned"})
    assert _post("/ap/inbox", body.replace(b"Follow", b"Block!"), headers)[1]["code"] == "bad_digest"
    DomainBlock.objects.create(domain="mastodon.example.org")
    assert _post("/ap/inbox", body, headers)[0] == 403
    assert _post("/ap/accounts/999999/inbox", body, headers)[0] == 404
    assert InboxItem.objects.count() == 0 and Follow.objects.count() == 0
