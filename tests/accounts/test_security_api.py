"""The native API's account-security endpoints (``/api/spool/v1/security/``): a password reset request that
does not tell which addresses exist, the session list with revoke, the two-factor status and the data
download."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from conftest import CommitClient
from spool.exports.services import EXPORT_LIMIT
from tests.identities.people import Person

pytestmark = pytest.mark.django_db
API = "/api/spool/v1/security/"


def ask_reset(email: str) -> Any:
    return CommitClient().post(
        API + "password_reset", json.dumps({"email": email}), content_type="application/json"
    )


def test_password_reset_request_answers_the_same_for_any_address(person: Callable[..., Person]) -> None:
    person("ana")
    known, unknown = ask_reset("ana@example.com"), ask_reset("nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"ok": True}
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    bad = CommitClient().post(
        API + "password_reset", json.dumps({"mail": "x"}), content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["code"]


def test_sessions_list_and_revoke(person: Callable[..., Person]) -> None:
    ana = person("ana")
    second = CommitClient(HTTP_USER_AGENT="Ana's tablet")
    second.post("/login", {"email": "ana@example.com", "password": "correct horse battery staple"})
    listed = ana.client.get(API + "sessions").json()
    assert len(listed) == 2
    assert sum(row["current"] for row in listed) == 1
    other = next(row for row in listed if not row["current"])
    assert other["user_agent"] == "Ana's tablet"
    assert second.get("/api/spool/v1/accounts/me").status_code == 200
    revoked = ana.client.post(API + f"sessions/{other['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json() == {"ended": 1}
    assert second.get("/api/spool/v1/accounts/me").status_code == 401
    assert len(ana.client.get(API + "sessions").json()) == 1


def test_revoking_someone_elses_session_is_404(person: Callable[..., Person]) -> None:
    ana, bea = person("ana"), person("bea")
    beas = bea.client.get(API + "sessions").json()[0]["id"]
    assert ana.client.post(API + f"sessions/{beas}/revoke").status_code == 404
    assert bea.get("me").status_code == 200


def test_revoke_others_keeps_the_caller(person: Callable[..., Person]) -> None:
    ana = person("ana")
    others = [CommitClient() for _ in range(2)]
    for client in others:
        client.post("/login", {"email": "ana@example.com", "password": "correct horse battery staple"})
    assert ana.client.post(API + "sessions/revoke_others").json() == {"ended": 2}
    assert [c.get("/api/spool/v1/accounts/me").status_code for c in others] == [401, 401]
    assert ana.get("me").status_code == 200


def test_two_factor_status_and_export(person: Callable[..., Person]) -> None:
    ana, bea = person("ana"), person("bea")
    assert ana.client.get(API + "two_factor").json() == {"enabled": False, "recovery_codes_left": 0}
    assert ana.client.get(API + "export").status_code == 404
    ana.client.post("/api/spool/v1/posts/", json.dumps({"text": "mine"}), content_type="application/json")
    for _ in range(EXPORT_LIMIT.limit):
        asked = ana.client.post(API + "export")
        # The task ran when the request's transaction committed: the answer was written before it.
        assert asked.status_code == 202 and asked.json()["state"] == "pending"
        assert asked.json()["download_url"] is None
    latest = ana.client.get(API + "export").json()
    assert latest["state"] == "ready" and latest["id"] == asked.json()["id"] and latest["size"] > 0
    response = ana.client.get(latest["download_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert [p["text"] for p in json.loads(archive.read("posts.json"))] == ["mine"]
    stolen = bea.client.get(latest["download_url"])
    assert stolen.status_code == 404 and stolen.json()["code"] == "not_found"
    refused = ana.client.post(API + "export")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert ana.client.get(API + "export").json()["id"] == latest["id"]


def test_endpoints_need_sign_in() -> None:
    anon = CommitClient()
    assert anon.get(API + "sessions").status_code == 401
    assert anon.post(API + "export").status_code == 401
    assert anon.get(API + "export").status_code == 401
