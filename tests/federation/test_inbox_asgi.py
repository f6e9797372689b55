"""The inboxes as the server runs them: through Spool's ASGI application, where they take a route of their
own (``spool.core.asgi_sync``), with the same checks as every other way in."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from spool import inbox_asgi
from spool.asgi import application
from spool.federation.models import DomainBlock, InboxItem
from spool.federation.signatures import http_date
from spool.identities.models import Follow
from tests.federation.conftest import captured
from tests.federation.fediverse import signed_headers

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN = "http://mastodon.example.org/users/admin"


def _asgi(
    path: str, body: bytes, headers: dict[str, str], method: str = "POST", host: bytes = b"testserver"
) -> dict[str, Any]:
    """The ASGI application's answer to a request (``status``, ``headers``, ``body``)."""
    sent = [(b"host", host), (b"content-type", b"application/activity+json")]
    sent += [(name[5:].replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    communicator = HttpCommunicator(application, method, path, body, sent)
    # Generous: in tests the accepted activity is processed (actor fetched, Accept sent) before the answer.
    response: dict[str, Any] = async_to_sync(communicator.get_response)(timeout=30)
    return response


def _post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST through the ASGI application; the status and the JSON answered (``{}`` when none)."""
    response = _asgi(path, body, headers)
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


def test_the_inbox_route_answers_as_the_whole_middleware_chain_does(
    federating: Any, fediverse: Any, spool_config: Any, client: Any
) -> None:
    """POSTs skip the URL resolving and the middleware that passes them through (spool.asgi): the same
    status, headers and body as through Django's URL configuration and every middleware (the test client)."""
    ana, admin, activity, body = _follow(federating, fediverse)
    other = json.dumps({**activity, "id": activity["id"] + "-2"}).encode()
    path = f"/ap/accounts/{ana.id}/inbox"
    cases = [
        (path, body, signed_headers(admin, path, body), "POST"),  # 202
        (path, other, {}, "POST"),  # 401 unsigned
        ("/ap/accounts/999999/inbox", body, signed_headers(admin, path, body), "POST"),  # 404
        ("/ap/inbox", b"", {}, "GET"),  # 405, through the whole chain
    ]
    answered = []
    for where, sent, headers, method in cases:
        via_asgi = _asgi(where, sent, headers, method)
        call = client.post if method == "POST" else client.get
        via_client = call(where, sent, content_type="application/activity+json", **headers)
        assert via_asgi["status"] == via_client.status_code, via_asgi["body"]
        assert via_asgi["body"] == via_client.content
        names = {name.decode().lower() for name, _ in via_asgi["headers"]}
        assert names == {name.lower() for name in via_client.headers}
        answered.append(via_asgi["status"])
    assert answered == [202, 401, 404, 405], answered
    assert InboxItem.objects.count() == 1  # the repeat through the client stored nothing


def test_the_inbox_route_refuses_a_host_that_is_not_allowed(
    federating: Any, fediverse: Any, spool_config: Any
) -> None:
    _, admin, _, body = _follow(federating, fediverse)
    response = _asgi("/ap/inbox", body, signed_headers(admin, "/ap/inbox", body), host=b"evil.example")
    assert response["status"] == 400
    assert InboxItem.objects.count() == 0


def test_a_body_is_stored_as_sent_and_one_in_another_encoding_as_parsed(
    federating: Any, fediverse: Any, spool_config: Any
) -> None:
    ana, admin, activity, _ = _follow(federating, fediverse)
    path = f"/ap/accounts/{ana.id}/inbox"
    spaced = json.dumps(activity, indent=2, ensure_ascii=False).encode()
    marked = b"\xef\xbb\xbf" + json.dumps({**activity, "id": activity["id"] + "-bom"}).encode()
    for body in (spaced, marked):
        assert _post(path, body, signed_headers(admin, path, body))[0] == 202
    stored = dict(InboxItem.objects.values_list("activity_id", "body"))
    assert stored[activity["id"]] == activity
    assert stored[activity["id"] + "-bom"] == {**activity, "id": activity["id"] + "-bom"}


def _refusal_cases(admin: Any, impostor: Any, activity: dict[str, Any], path: str) -> list[Any]:
    """(name, path, body, headers) for each way an inbox POST is answered, the accepted one first."""
    body = json.dumps(activity).encode()
    headers = signed_headers(admin, path, body)
    wrong_key = signed_headers(impostor, path, body)
    wrong_key["HTTP_SIGNATURE"] = wrong_key["HTTP_SIGNATURE"].replace(impostor.key_id, admin.key_id)
    stale = {**headers, "HTTP_DATE": http_date(datetime.now(UTC) - timedelta(hours=13))}
    large = json.dumps({**activity, "padding": "x" * 300_000}).encode()
    return [
        ("accepted", path, body, headers),
        ("replay", path, body, headers),
        ("unsigned", path, body, {}),
        ("tampered", path, body.replace(b"Follow", b"Block!"), headers),
        ("wrong key", path, body, wrong_key),
        ("actor mismatch", path, body, signed_headers(impostor, path, body)),
        ("stale date", path, body, stale),
        ("too large", path, large, signed_headers(admin, path, large)),
        ("not federating", "/ap/accounts/999999/inbox", body, headers),
    ]


def test_every_answer_of_the_inbox_route_is_the_whole_chains(
    federating: Any, fediverse: Any, spool_config: Any, client: Any
) -> None:
    """Accepted, repeated and refused POSTs through the ASGI route (spool.inbox_asgi) and through Django's
    handler and every middleware (the test client): the same status, body and headers (in order), and a
    refusal leaves the inbox as it was."""
    ana, admin, activity, _ = _follow(federating, fediverse)
    impostor = fediverse.actor("http://mastodon.example.org/users/impostor")
    path = f"/ap/accounts/{ana.id}/inbox"
    answered = {}
    for name, where, body, headers in _refusal_cases(admin, impostor, activity, path):
        stored = InboxItem.objects.count()
        via_asgi = _asgi(where, body, headers)
        via_client = client.post(where, body, content_type="application/activity+json", **headers)
        assert (via_asgi["status"], via_asgi["body"]) == (via_client.status_code, via_client.content), name
        sent = [(key.decode().lower(), value.decode()) for key, value in via_asgi["headers"]]
        assert sent == [(key.lower(), value) for key, value in via_client.headers.items()], name
        assert InboxItem.objects.count() == stored + (name == "accepted"), name
        answered[name] = (via_asgi["status"], json.loads(via_asgi["body"] or b"{}").get("code"))
    assert answered == {
        "accepted": (202, None),
        "replay": (202, None),
        "unsigned": (401, "unsigned"),
        "tampered": (401, "bad_digest"),
        "wrong key": (401, "bad_signature"),
        "actor mismatch": (401, "actor_mismatch"),
        "stale date": (401, "stale_date"),
        "too large": (413, "too_large"),
        "not federating": (404, "not_found"),
    }
    DomainBlock.objects.create(domain="mastodon.example.org")
    body = json.dumps({**activity, "id": activity["id"] + "-blocked"}).encode()
    blocked = _asgi(path, body, signed_headers(admin, path, body))
    assert (blocked["status"], InboxItem.objects.count()) == (403, 1)


def _scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "POST", query: bytes = b"") -> Any:
    return {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "headers": headers, "scheme": "http", "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234), "asgi": {"version": "3.0"}, "http_version": "1.1",
    }  # fmt: skip


def test_the_route_answers_plain_posts_itself_and_leaves_the_rest_to_django(
    federating: Any, fediverse: Any, spool_config: Any
) -> None:
    """What spool.inbox_asgi answers itself (a POST to an inbox, its Host allowed) and what it leaves to
    Django's handler (``None``), which then answers as for any request."""
    ana, admin, activity, body = _follow(federating, fediverse)
    path = f"/ap/accounts/{ana.id}/inbox"
    signed = [(b"host", b"testserver"), (b"content-type", b"application/activity+json")]
    for name, value in signed_headers(admin, path, body).items():
        signed.append((name[5:].replace("_", "-").lower().encode(), value.encode()))

    def answer(scope: Any) -> Any:
        return inbox_asgi.answer(scope, io.BytesIO(body))

    assert answer(_scope("/ap/inbox", [(b"host", b"testserver")], "GET")) is None
    assert answer(_scope(path, signed, query=b"a=1")) is None
    assert answer(_scope(path, [(b"host", b"evil.example"), *signed[1:]])) is None
    assert answer(_scope(path, [*signed, (b"x_forwarded", b"1")])) is None
    assert answer(_scope("/ap/accounts/999999/inbox", signed)) is None
    assert InboxItem.objects.count() == 0
    assert answer(_scope(path, signed)).status_code == 202
    assert InboxItem.objects.get().activity_id == activity["id"]
