"""POST /oauth/token: the three grants, client authentication, single-use codes, PKCE, refresh rotation and
RFC 6749 error bodies."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import CommitClient
from spool.oauth.models import Grant, Token
from tests.oauth.client import App, Browser, person, pkce_pair, redirect_params

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/apps/verify_credentials"


def bearer(token: str) -> CommitClient:
    return CommitClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def code_for(app: App, **params: str) -> str:
    return redirect_params(Browser().approve(app, "ana@example.com", **params))["code"]


@pytest.fixture
def app() -> App:
    person("ana")
    return App.register()


def assert_error(response: Any, status: int, error: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]


def test_a_code_works_once_and_a_replay_revokes_what_it_gave(app: App) -> None:
    code = code_for(app)
    first = app.exchange(code)
    assert first.status_code == 200
    api = bearer(first.json()["access_token"])
    assert api.get(VERIFY).status_code == 200

    assert_error(app.exchange(code), 400, "invalid_grant")
    assert api.get(VERIFY).status_code == 401
    refreshed = app.token(grant_type="refresh_token", refresh_token=first.json()["refresh_token"])
    assert_error(refreshed, 400, "invalid_grant")


def test_a_code_expires_after_ten_minutes(app: App) -> None:
    code = code_for(app)
    grant = Grant.objects.get()
    assert timedelta(minutes=9) < grant.expires_at - timezone.now() <= timedelta(minutes=10)
    Grant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(app.exchange(code), 400, "invalid_grant")
    assert not Token.objects.exists()


def test_the_redirect_uri_must_match_the_authorization_request(db: None) -> None:
    person("ana")
    app = App.register(redirect_uris=["https://app.example/a", "https://app.example/b"])
    code = code_for(app, redirect_uri="https://app.example/a")
    assert_error(app.exchange(code, redirect_uri="https://app.example/b"), 400, "invalid_grant")
    assert app.exchange(code, redirect_uri="https://app.example/a").status_code == 200


def test_another_apps_code_is_refused(app: App) -> None:
    code = code_for(app)
    other = App.register()
    assert_error(other.exchange(code), 400, "invalid_grant")
    assert not Token.objects.exists()


def test_pkce_s256_needs_the_right_verifier(app: App) -> None:
    verifier, challenge = pkce_pair()
    code = code_for(app, code_challenge=challenge, code_challenge_method="S256")
    assert_error(app.exchange(code), 400, "invalid_grant")
    assert_error(app.exchange(code, pkce_pair()[0]), 400, "invalid_grant")
    assert app.exchange(code, verifier).status_code == 200


def test_pkce_plain_is_accepted_for_older_clients(app: App) -> None:
    verifier = "v" * 50
    code = code_for(app, code_challenge=verifier, code_challenge_method="plain")
    assert_error(app.exchange(code, "w" * 50), 400, "invalid_grant")
    assert app.exchange(code, verifier).status_code == 200


def test_client_credentials_give_an_app_token_without_a_person(app: App) -> None:
    response = app.token(grant_type="client_credentials", scope="read")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "read" and "refresh_token" not in body
    assert Token.objects.get().account is None
    assert bearer(body["access_token"]).get(VERIFY).json()["name"] == "Tootle"


def test_client_credentials_cannot_exceed_the_apps_scopes(app: App) -> None:
    assert_error(app.token(grant_type="client_credentials", scope="push"), 400, "invalid_scope")
    assert not Token.objects.exists()


def test_refresh_rotates_and_the_old_pair_stops_working(app: App) -> None:
    first = app.exchange(code_for(app, scope="read write")).json()
    second = app.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"] and new["scope"] == "read write"
    assert bearer(first["access_token"]).get(VERIFY).status_code == 401
    assert bearer(new["access_token"]).get(VERIFY).status_code == 200

    # The rotated refresh token presented again: refused, and the family (the new token too) is revoked.
    assert_error(
        app.token(grant_type="refresh_token", refresh_token=first["refresh_token"]), 400, "invalid_grant"
    )
    assert bearer(new["access_token"]).get(VERIFY).status_code == 401


def test_refresh_may_narrow_scopes_but_not_widen_them(app: App) -> None:
    first = app.exchange(code_for(app, scope="read")).json()
    wider = app.token(grant_type="refresh_token", refresh_token=first["refresh_token"], scope="read write")
    assert_error(wider, 400, "invalid_scope")
    narrower = app.token(
        grant_type="refresh_token", refresh_token=first["refresh_token"], scope="read:statuses"
    )
    assert narrower.json()["scope"] == "read:statuses"


def test_another_apps_refresh_token_is_refused(app: App) -> None:
    first = app.exchange(code_for(app)).json()
    other = App.register()
    assert_error(
        other.token(grant_type="refresh_token", refresh_token=first["refresh_token"]), 400, "invalid_grant"
    )
    assert bearer(first["access_token"]).get(VERIFY).status_code == 200


def test_the_password_grant_is_refused_clearly(app: App) -> None:
    response = app.token(grant_type="password", username="ana@example.com", password="whatever")
    assert_error(response, 400, "unsupported_grant_type")
    assert "authorization code" in response.json()["error_description"]
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("grant_type", "error"), [("", "invalid_request"), ("implicit", "unsupported_grant_type")]
)
def test_a_missing_or_unknown_grant_type_is_refused(app: App, grant_type: str, error: str) -> None:
    assert_error(app.token(grant_type=grant_type), 400, error)


def test_http_basic_client_authentication(app: App) -> None:
    code = code_for(app)
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    response = CommitClient().post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uris[0]},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("how", ["wrong secret", "no secret", "unknown client", "bad basic", "wrong basic"])
def test_client_authentication_failures_are_401_invalid_client(app: App, how: str) -> None:
    form: dict[str, str] = {
        "grant_type": "client_credentials",
        "client_id": app.client_id,
        "client_secret": "nope",
    }
    headers: dict[str, str] = {}
    if how == "no secret":
        del form["client_secret"]
    elif how == "unknown client":
        form["client_id"] = "nobody"
    elif how == "bad basic":
        headers["HTTP_AUTHORIZATION"] = "Basic !!!"
    elif how == "wrong basic":
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{app.client_id}:x".encode()).decode()
    response = CommitClient().post("/oauth/token", form, **headers)
    assert_error(response, 401, "invalid_client")
    if headers:
        assert response["WWW-Authenticate"].startswith("Basic")
    assert not Token.objects.exists()


def test_json_bodies_are_accepted(app: App) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    response = CommitClient().post("/oauth/token", json.dumps(body), content_type="application/json")
    assert response.status_code == 200


def test_a_deactivated_persons_code_gives_nothing(app: App) -> None:
    from spool.identities.models import Account
    from spool.identities.services import deactivate_account

    code = code_for(app)
    deactivate_account(Account.objects.get(handle="ana"))
    assert_error(app.exchange(code), 400, "invalid_grant")
    assert not Token.objects.exists()


def test_only_post(app: App) -> None:
    assert CommitClient().get("/oauth/token").status_code == 405
