"""Secure mode ("authorized fetch"): our actors, posts and collections answer only correctly signed GETs
from servers that are not blocked; the instance actor stays readable unsigned; our own fetches are signed.
Signatures are real (the stand-in fediverse's keys, verified by fetching its actor over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.actors import fetch_actor
from spool.federation.instance_actor import site_key
from spool.federation.models import DomainBlock
from spool.federation.signatures import verify_request
from spool.posts.models import Post
from tests.federation.fediverse import signed_headers

AS = "application/activity+json"
READER = "https://remote.example/users/reader"


@pytest.fixture
def ana(federating: Any) -> Any:
    ana = federating("ana")
    ana.write("a public post #weaving")
    return ana


def _paths(ana: Any) -> list[str]:
    post = Post.objects.filter(author_id=ana.id).latest("id")
    base = f"/ap/accounts/{ana.id}"
    return [base, f"{base}/outbox", f"{base}/followers", f"{base}/following", f"/ap/posts/{post.id}"]


def _get(client: Any, path: str, headers: dict[str, str] | None = None) -> Any:
    return client.get(path, HTTP_ACCEPT=AS, **(headers or {}))


def test_secure_mode_refuses_unsigned_fetches_with_401(anon: Any, ana: Any, spool_config: Any) -> None:
    spool_config.federation_secure_mode = True
    for path in [*_paths(ana), "/@ana"]:
        response = _get(anon, path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unsigned"


def test_secure_mode_answers_a_validly_signed_fetch(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    spool_config.federation_secure_mode = True
    reader = fediverse.actor(READER)
    for path in _paths(ana):
        response = _get(anon, path, signed_headers(reader, path, None))
        assert response.status_code == 200, (path, response.content)
    actor = _get(anon, f"/ap/accounts/{ana.id}", signed_headers(reader, f"/ap/accounts/{ana.id}", None))
    assert actor.json()["id"] == f"http://testserver/ap/accounts/{ana.id}"


def test_secure_mode_refuses_a_signature_that_does_not_verify(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    spool_config.federation_secure_mode = True
    reader = fediverse.actor(READER)
    path = f"/ap/accounts/{ana.id}"
    headers = signed_headers(reader, f"/ap/accounts/{ana.id}/outbox", None)  # signed for another path
    response = _get(anon, path, headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"


def test_a_blocked_server_is_refused_even_when_signed(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    reader = fediverse.actor(READER)
    DomainBlock.objects.create(domain="remote.example")
    path = f"/ap/accounts/{ana.id}"
    for secure in (True, False):
        spool_config.federation_secure_mode = secure
        response = _get(anon, path, signed_headers(reader, path, None))
        assert response.status_code == 403 and response.json()["code"] == "blocked_domain"
    assert fediverse.gets_of(READER) == 0  # refused before its key was even looked up


def test_outside_allowlist_is_refused_even_when_signed(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    spool_config.federation_secure_mode = True
    spool_config.federation_allowlist_mode = True
    spool_config.federation_allowed_domains = ["other.example"]
    reader = fediverse.actor(READER)
    path = f"/ap/accounts/{ana.id}"
    assert _get(anon, path, signed_headers(reader, path, None)).status_code == 403
    friend = fediverse.actor("https://other.example/users/friend")
    assert _get(anon, path, signed_headers(friend, path, None)).status_code == 200


def test_the_instance_actor_stays_readable_unsigned(anon: Any, spool_config: Any) -> None:
    spool_config.federation_secure_mode = True
    response = _get(anon, "/ap/actor")
    assert response.status_code == 200
    assert response.json()["publicKey"]["publicKeyPem"] == site_key().public_key_pem
    assert anon.get("/.well-known/nodeinfo").status_code == 200


def test_without_secure_mode_unsigned_fetches_are_answered(anon: Any, ana: Any, spool_config: Any) -> None:
    spool_config.federation_secure_mode = False
    for path in _paths(ana):
        assert _get(anon, path).status_code == 200, path


def test_our_own_fetches_are_signed_by_the_instance_actor(db: None, fediverse: Any) -> None:
    fediverse.actor(READER)
    fetch_actor(READER)
    request = next(r for r in fediverse.fetched if r.path == "/users/reader")
    assert "signature" in request.headers
    public_pem = site_key().public_key_pem

    def lookup(key_id: str, refresh: bool) -> tuple[str, str]:
        assert key_id == "http://testserver/ap/actor#main-key"
        return public_pem, "http://testserver/ap/actor"

    verified = verify_request("GET", request.path, request.headers, None, lookup)
    assert verified.owner == "http://testserver/ap/actor"
