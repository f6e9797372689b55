"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials: Mastodon's CredentialApplication and
Application shapes, redirect-URI rules, validation and the per-address limit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import CommitClient
from spool.oauth.models import Application
from tests.api.mastodon.shapes import assert_shape

pytestmark = pytest.mark.django_db


def create(body: dict[str, Any], *, client: CommitClient | None = None, as_json: bool = True) -> Any:
    http = client or CommitClient()
    if as_json:
        return http.post("/api/v1/apps", json.dumps(body), content_type="application/json")
    return http.post("/api/v1/apps", body)


def test_register_an_app_and_use_its_credentials() -> None:
    response = create(
        {
            "client_name": "Tootle",
            "redirect_uris": "https://app.example/cb",
            "scopes": "read write push",
            "website": "https://tootle.example",
        }
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "vapid_key" not in body  # deprecated by Mastodon 4.3, and Spool has no Web Push yet
    assert_shape("CredentialApplication", {**body, "vapid_key": "-"})
    assert body["name"] == "Tootle"
    assert body["website"] == "https://tootle.example"
    assert body["scopes"] == ["push", "read", "write"]
    assert body["redirect_uri"] == "https://app.example/cb"
    assert body["redirect_uris"] == ["https://app.example/cb"]
    assert body["client_secret_expires_at"] == 0
    assert body["id"] == str(Application.objects.get().id)

    token = CommitClient().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": body["client_id"],
            "client_secret": body["client_secret"],
        },
    )
    assert token.status_code == 200
    verified = CommitClient(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}").get(
        "/api/v1/apps/verify_credentials"
    )
    assert verified.status_code == 200
    app_body = verified.json()
    assert_shape("Application", {**app_body, "vapid_key": "-"})
    assert "client_secret" not in app_body and "client_id" not in app_body
    assert app_body["redirect_uris"] == ["https://app.example/cb"]


@pytest.mark.parametrize(
    ("redirect_uris", "as_json"),
    [
        (["https://a.example/cb", "ice-cubes://oauth"], True),
        ("https://a.example/cb\nice-cubes://oauth", True),
        ("https://a.example/cb ice-cubes://oauth", False),
    ],
)
def test_several_redirect_uris_as_an_array_or_a_string(redirect_uris: Any, as_json: bool) -> None:
    response = create({"client_name": "Multi", "redirect_uris": redirect_uris}, as_json=as_json)
    assert response.status_code == 200, response.content
    assert response.json()["redirect_uris"] == ["https://a.example/cb", "ice-cubes://oauth"]
    assert response.json()["redirect_uri"] == "https://a.example/cb\nice-cubes://oauth"


def test_form_arrays_work_too() -> None:
    body = "client_name=Form&redirect_uris[]=https://a.example/1&redirect_uris[]=https://a.example/2"
    response = CommitClient().post("/api/v1/apps", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert response.json()["redirect_uris"] == ["https://a.example/1", "https://a.example/2"]
    assert response.json()["scopes"] == ["read"]  # Mastodon's default


@pytest.mark.parametrize(
    "uri",
    [
        "urn:ietf:wg:oauth:2.0:oob",
        "ice-cubes://oauth",
        "com.example.app:/callback",
        "http://localhost:4000/callback",
        "https://app.example/cb?keep=1",
    ],
)
def test_accepted_redirect_uris(uri: str) -> None:
    response = create({"client_name": "Ok", "redirect_uris": uri})
    assert response.status_code == 200, response.content
    assert response.json()["redirect_uris"] == [uri]


@pytest.mark.parametrize(
    "uri",
    [
        "javascript:alert(1)",
        "JavaScript://%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "/relative/path",
        "https://app.example/cb#fragment",
        "https:///no-host",
        "not a uri",
        "https://app.example/" + "x" * 2000,
    ],
)
def test_refused_redirect_uris(uri: str) -> None:
    response = create({"client_name": "Bad", "redirect_uris": uri})
    assert response.status_code == 422, response.content
    assert response.json()["error"]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_name": ""}, "client_name"),
        ({"client_name": "x" * 61}, "client_name"),
        ({"client_name": ["a", "b"]}, "client_name"),
        ({"redirect_uris": ""}, "redirect_uris"),
        ({"redirect_uris": None}, "redirect_uris"),
        ({"redirect_uris": [f"https://a.example/{i}" for i in range(11)]}, "redirect_uris"),
        ({"scopes": "read telepathy"}, "scope"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://files.example"}, "website"),
    ],
)
def test_invalid_registrations_are_422_and_create_nothing(change: dict[str, Any], field: str) -> None:
    body = {"client_name": "Tootle", "redirect_uris": "https://app.example/cb", **change}
    response = create(body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Application.objects.exists()


def test_registration_is_rate_limited_per_address() -> None:
    client = CommitClient()
    body = {"client_name": "Spam", "redirect_uris": "https://app.example/cb"}
    for _ in range(30):
        assert create(body, client=client).status_code == 200
    refused = create(body, client=client)
    assert refused.status_code == 429
    assert Application.objects.count() == 30
    assert create(body).status_code == 200  # another address


def test_verify_credentials_takes_any_valid_token_whatever_its_scopes(mastodon: Any) -> None:
    for scopes in ("write:media", "push", "read"):
        assert mastodon(None, scopes=scopes).get("/api/v1/apps/verify_credentials").status_code == 200
    assert mastodon("ana", scopes="push").get("/api/v1/apps/verify_credentials").status_code == 200
