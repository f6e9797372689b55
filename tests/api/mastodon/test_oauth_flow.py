"""The authorization-code flow driven as an app and a person would: open /oauth/authorize signed out, sign
in, read the consent page, press Authorize (or Deny), follow the redirect, trade the code with PKCE, call the
API with the token."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommitClient
from spool.oauth.models import Grant, Token
from tests.oauth.client import App, Browser, form_fields, person, pkce_pair, redirect_params

pytestmark = pytest.mark.django_db


def test_full_code_flow_with_pkce() -> None:
    person("ana")
    app = App.register(scopes="read write follow", website="https://tootle.example")
    verifier, challenge = pkce_pair()
    browser = Browser()

    opened = browser.get(
        app.authorize_url(
            scope="read write", state="xyz", code_challenge=challenge, code_challenge_method="S256"
        )
    )
    assert opened.status_code == 302
    assert opened["Location"].startswith("/login?next=/oauth/authorize%3F")
    signed_in = browser.sign_in(opened["Location"], "ana@example.com")
    assert signed_in.status_code == 302
    consent = browser.get(signed_in["Location"])
    assert consent.status_code == 200
    page = consent.content.decode()
    assert "Tootle" in page and "https://tootle.example" in page and "@ana" in page
    assert "Read everything in your account" in page and "Change everything in your account" in page
    assert "follow" not in form_fields(consent).get("scope", "")

    back = browser.press(consent, "authorize")
    assert back["Location"].startswith("https://app.example/callback?")
    params = redirect_params(back)
    assert params["state"] == "xyz"

    issued = app.exchange(params["code"], verifier)
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write"
    assert isinstance(body["created_at"], int)
    assert body["refresh_token"] and body["access_token"] != body["refresh_token"]
    assert issued["Cache-Control"] == "no-store"

    api = CommitClient(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    verified = api.get("/api/v1/apps/verify_credentials")
    assert verified.status_code == 200
    assert verified.json()["name"] == "Tootle"
    assert Token.objects.get().account.handle == "ana"


def test_a_signed_in_person_goes_straight_to_consent_and_can_deny() -> None:
    person("ana")
    app = App.register()
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    consent = browser.get(app.authorize_url(state="s1"))
    assert consent.status_code == 200
    denied = browser.press(consent, "deny")
    assert redirect_params(denied) == {"error": "access_denied", "state": "s1"}
    assert not Grant.objects.exists()


def test_the_consent_form_needs_its_csrf_token() -> None:
    person("ana")
    app = App.register()
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    consent = browser.get(app.authorize_url())
    fields = {k: v for k, v in form_fields(consent).items() if k != "csrfmiddlewaretoken"}
    response = browser.http.post("/oauth/authorize", {**fields, "decision": "authorize"})
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_out_of_band_shows_the_code_on_a_page() -> None:
    person("ana")
    app = App.register(redirect_uris=["urn:ietf:wg:oauth:2.0:oob"])
    browser = Browser()
    shown = browser.approve(app, "ana@example.com")
    assert shown["Location"].startswith("/oauth/authorize/native?code=")
    page = browser.get(shown["Location"])
    code = redirect_params(shown)["code"]
    assert code in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert app.exchange(code, redirect_uri="urn:ietf:wg:oauth:2.0:oob").status_code == 200


def test_mobile_app_custom_scheme_gets_the_code_and_may_be_posted_to() -> None:
    person("ana")
    app = App.register(redirect_uris="ice-cubes://oauth")
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    consent = browser.get(app.authorize_url())
    # Browsers apply form-action to the redirect after the consent form: the app's scheme must be allowed.
    assert consent["Content-Security-Policy"].endswith("form-action 'self' ice-cubes:")
    back = browser.press(consent, "authorize")
    assert back["Location"].startswith("ice-cubes://oauth?code=")
    assert app.exchange(redirect_params(back)["code"]).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": "https://app.example/callback/extra"},
        {"client_id": "nobody"},
    ],
)
def test_an_unknown_client_or_redirect_is_shown_not_followed(change: dict[str, str]) -> None:
    person("ana")
    app = App.register()
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    url = app.authorize_url(**{k: v for k, v in change.items() if k == "redirect_uri"})
    if "client_id" in change:
        url = url.replace(app.client_id, change["client_id"])
    response = browser.get(url)
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"scope": "read push"}, "invalid_scope"),
        ({"scope": "read telepathy"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"code_challenge": "a" * 43, "code_challenge_method": "S512"}, "invalid_request"),
    ],
)
def test_bad_requests_go_back_to_the_app_with_an_error(params: dict[str, str], error: str) -> None:
    person("ana")
    app = App.register(scopes="read write")
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    response = browser.get(app.authorize_url(state="st", **params))
    back = redirect_params(response)
    assert back["error"] == error and back["state"] == "st"
    assert not Grant.objects.exists()


def test_force_login_signs_out_first_and_comes_back_without_the_flag() -> None:
    person("ana")
    person("bea")
    app = App.register()
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    response = browser.get(app.authorize_url(force_login="true"))
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")
    assert "force_login" not in response["Location"]
    again = browser.sign_in(response["Location"], "bea@example.com")
    consent = browser.get(again["Location"])
    assert "@bea" in consent.content.decode()
    browser.press(consent, "authorize")
    assert Grant.objects.get().account.handle == "bea"


def test_a_consent_post_after_the_session_ended_goes_to_sign_in_and_grants_nothing() -> None:
    person("ana")
    app = App.register()
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    consent = browser.get(app.authorize_url())
    fields = form_fields(consent)
    browser.http.post("/logout", {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"]})
    response: Any = browser.http.post("/oauth/authorize", {**fields, "decision": "authorize"})
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("https://app.example")
    assert not Grant.objects.exists()
