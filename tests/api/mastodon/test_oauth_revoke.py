"""POST /oauth/revoke (RFC 7009) and the RFC 8414 metadata document."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from conftest import CommitClient
from spool.oauth.models import Token
from tests.api.mastodon.shapes import assert_shape
from tests.oauth.client import App, Browser, person, redirect_params

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/apps/verify_credentials"


def signed_in_token(app: App) -> dict[str, Any]:
    code = redirect_params(Browser().approve(app, "ana@example.com"))["code"]
    body: dict[str, Any] = app.exchange(code).json()
    return body


@pytest.fixture
def app() -> App:
    person("ana")
    return App.register()


def revoke(app: App, token: str, **override: str) -> Any:
    body = {"client_id": app.client_id, "client_secret": app.client_secret, "token": token, **override}
    return CommitClient().post("/oauth/revoke", body)


def test_revoking_an_access_token(app: App) -> None:
    issued = signed_in_token(app)
    api = CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}")
    assert api.get(VERIFY).status_code == 200
    response = revoke(app, issued["access_token"])
    assert response.status_code == 200 and response.json() == {}
    assert api.get(VERIFY).status_code == 401


def test_revoking_by_refresh_token_ends_both(app: App) -> None:
    issued = signed_in_token(app)
    assert revoke(app, issued["refresh_token"]).status_code == 200
    assert CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}").get(VERIFY).status_code == 401
    again = app.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert again.status_code == 400


def test_unknown_tokens_are_fine(app: App) -> None:
    assert revoke(app, "never-issued").status_code == 200
    assert revoke(app, "").status_code == 200


def test_wrong_client_credentials_are_401_and_revoke_nothing(app: App) -> None:
    issued = signed_in_token(app)
    response = revoke(app, issued["access_token"], client_secret="nope")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert Token.objects.get().revoked_at is None


def test_another_apps_token_is_not_revoked(app: App) -> None:
    issued = signed_in_token(app)
    other = App.register()
    response = revoke(other, issued["access_token"])
    assert response.status_code == 403 and response.json()["error"] == "unauthorized_client"
    assert Token.objects.get().revoked_at is None


def test_server_metadata_as_mastodon_publishes_it(db: None) -> None:
    response = CommitClient().get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    body = response.json()
    assert_shape("DiscoverOauthServerConfigurationResponse", body)
    base = settings.SPOOL.public_url
    assert body["issuer"] == f"{base}/"
    assert body["authorization_endpoint"] == f"{base}/oauth/authorize"
    assert body["token_endpoint"] == f"{base}/oauth/token"
    assert body["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert body["userinfo_endpoint"] == f"{base}/oauth/userinfo"
    assert body["app_registration_endpoint"] == f"{base}/api/v1/apps"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["response_types_supported"] == ["code"]
    assert set(body["grant_types_supported"]) == {"authorization_code", "client_credentials", "refresh_token"}
    assert {"read", "write", "follow", "push", "profile", "read:statuses", "write:media"} <= set(
        body["scopes_supported"]
    )
    # Every advertised endpoint answers.
    assert CommitClient().post("/oauth/token").status_code == 401
    assert CommitClient().post("/oauth/revoke").status_code == 401


def test_userinfo_names_the_person_behind_the_token(app: App) -> None:
    issued = signed_in_token(app)
    response = CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}").get("/oauth/userinfo")
    assert response.status_code == 200
    body = response.json()
    assert body["preferred_username"] == "ana"
    assert body["sub"] == body["profile"] == f"{settings.SPOOL.public_url}/@ana"
    assert body["iss"] == f"{settings.SPOOL.public_url}/"
    assert body["picture"].startswith("http")


def test_userinfo_refusals(app: App, mastodon: Any) -> None:
    anonymous = CommitClient().get("/oauth/userinfo")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_token"
    assert anonymous["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    narrow = mastodon("bea", scopes="write").client.get("/oauth/userinfo")
    assert narrow.status_code == 403 and narrow.json()["error"] == "insufficient_scope"
    app_only = mastodon(None, scopes="read").client.get("/oauth/userinfo")
    assert app_only.status_code == 401
