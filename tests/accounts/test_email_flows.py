"""Links sent by email, through the web app and Django's locmem outbox: password reset (no account
enumeration; single use; expiry; every session and OAuth token ends), email change (password required,
confirmed at the new address, the old one told) and confirming the address at sign-up."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from conftest import CommitClient
from spool.accounts.models import User
from spool.identities.models import Follow
from spool.posts.models import Post
from tests.accounts.security import PASSWORD, Browser, form_fields, last_link, member, sign_in
from tests.oauth.client import App, redirect_params

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase"
VERIFY = "/api/v1/apps/verify_credentials"


def without_csrf_tokens(response: Any) -> str:
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", response.content.decode())


def ask_reset(browser: Browser, email: str) -> Any:
    page = browser.get("/password/reset")
    return browser.http.post("/password/reset", {**form_fields(page), "email": email})


def set_password(browser: Browser, link: str, password: str) -> Any:
    page = browser.get(link)
    if page.status_code != 200:  # no form on a refused link: take the CSRF token from another page
        page = browser.get("/password/reset")
    return browser.http.post(link, {**form_fields(page), "password": password})


# --- Password reset -----------------------------------------------------------------------------------


def test_reset_answers_the_same_for_unknown_addresses_and_sends_nothing() -> None:
    member("ana")
    known = ask_reset(Browser(), "ana@example.com")
    unknown = ask_reset(Browser(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_tokens(known) == without_csrf_tokens(unknown)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_reset_link_sets_a_new_password_once_and_ends_every_session_and_token() -> None:
    member("ana")
    other_device = Browser()
    sign_in(other_device, "ana@example.com")
    assert other_device.get("/settings/account").status_code == 200
    app = App.register()
    code = redirect_params(Browser().approve(app, "ana@example.com"))["code"]
    api = CommitClient(HTTP_AUTHORIZATION=f"Bearer {app.exchange(code).json()['access_token']}")
    assert api.get(VERIFY).status_code == 200

    browser = Browser()
    ask_reset(browser, "ana@example.com")
    link = last_link("ana@example.com")
    weak = set_password(browser, link, "short")
    assert weak.status_code == 422
    done = set_password(browser, link, NEW_PASSWORD)
    assert done.status_code == 302 and done["Location"] == "/login"

    user = User.objects.get(email="ana@example.com")
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert other_device.get("/settings/account").status_code == 302  # signed out
    assert SESSION_KEY not in other_device.http.session
    assert api.get(VERIFY).status_code == 401  # the OAuth token ended
    # Single use: the same link now says it is not valid and changes nothing.
    again = Browser().get(link)
    assert again.status_code == 400 and "not valid" in again.content.decode()
    assert set_password(Browser(), link, "yet another passphrase").status_code == 400
    assert User.objects.get(email="ana@example.com").check_password(NEW_PASSWORD)
    assert sign_in(Browser(), "ana@example.com", NEW_PASSWORD)["Location"] == "/"


def test_reset_links_expire(settings: Any) -> None:
    member("ana")
    ask_reset(Browser(), "ana@example.com")
    link = last_link("ana@example.com")
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is now older than the timeout
    assert Browser().get(link).status_code == 400
    assert set_password(Browser(), link, NEW_PASSWORD).status_code == 400
    assert User.objects.get(email="ana@example.com").check_password(PASSWORD)


@pytest.mark.parametrize("token", ["nonsense", "zz-abc", "1-", "-", "9999999999999-xyz"])
def test_malformed_reset_links_are_refused(token: str) -> None:
    member("ana")
    assert Browser().get(f"/password/reset/{token}").status_code == 400


def test_reset_requests_are_limited_per_address() -> None:
    member("ana")
    for _ in range(5):
        assert ask_reset(Browser(), "ana@example.com").status_code == 200
    refused = ask_reset(Browser(), "ana@example.com")
    assert refused.status_code == 422
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == 5


# --- Email change -------------------------------------------------------------------------------------


def change_email(browser: Browser, new: str, password: str = PASSWORD) -> Any:
    page = browser.get("/settings/security")
    return browser.http.post("/settings/email", {**form_fields(page), "new_email": new, "password": password})


def test_email_change_needs_the_password_and_confirmation_at_the_new_address() -> None:
    member("ana")
    member("bea")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    assert change_email(browser, "ana.new@example.com", "wrong password").status_code == 422
    taken = change_email(browser, "bea@example.com")
    assert taken.status_code == 422 and "already exists" in taken.content.decode()
    assert change_email(browser, "not an address").status_code == 422
    assert mail.outbox == []
    assert change_email(browser, "Ana.New@Example.com").status_code == 302
    link = last_link("ana.new@example.com")
    assert User.objects.filter(email="ana@example.com").exists()  # nothing changes before the link
    # Opening the link (a mail scanner would) changes nothing; pressing the button does.
    opener = Browser()
    page = opener.get(link)
    assert User.objects.filter(email="ana@example.com").exists()
    confirmed = opener.http.post(link, form_fields(page))
    assert confirmed.status_code == 302
    user = User.objects.get(email="ana.new@example.com")
    assert user.email_confirmed_at is not None
    notice = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert len(notice) == 1 and "ana.new@example.com" in notice[0].body
    # The link works once.
    assert opener.http.post(link, form_fields(page)).status_code == 400
    assert sign_in(Browser(), "ana.new@example.com")["Location"] == "/"


def test_email_change_link_is_refused_when_tampered() -> None:
    member("ana")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    change_email(browser, "ana.new@example.com")
    link = last_link("ana.new@example.com")
    # Same signature, another address in the payload.
    payload, rest = link.rsplit("/", 1)[1].split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["new"] = "mallory@example.com"
    forged_payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    forged = f"/settings/email/confirm/{forged_payload.rstrip('=')}:{rest}"
    opener = Browser()
    assert opener.http.post(forged, form_fields(opener.get(forged))).status_code == 400
    assert User.objects.filter(email="ana@example.com").exists()
    assert not User.objects.filter(email="mallory@example.com").exists()


# --- Confirming the address at sign-up ------------------------------------------------------------------


@pytest.fixture
def confirmation_required(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(settings.SPOOL, "require_email_confirmation", True)


def test_unconfirmed_people_cannot_post_follow_or_message_until_they_confirm(
    confirmation_required: None,
) -> None:
    bea = member("bea")
    User.objects.filter(pk=bea.user_id).update(email_confirmed_at="2026-01-01T00:00:00Z")
    anon = CommitClient()
    signed = anon.post(
        "/api/spool/v1/accounts/",
        {"email": "ana@example.com", "password": PASSWORD, "handle": "ana"},
        content_type="application/json",
    )
    assert signed.status_code == 201
    link = last_link("ana@example.com")
    assert "/confirm-email/" in link

    post = anon.post("/api/spool/v1/posts/", {"text": "hello"}, content_type="application/json")
    assert post.status_code == 403 and post.json()["code"] == "email_unconfirmed"
    follow = anon.post("/api/spool/v1/accounts/bea/follow", content_type="application/json")
    assert follow.status_code == 403 and follow.json()["code"] == "email_unconfirmed"
    message = anon.post(
        "/api/spool/v1/messaging/conversations", {"to": "bea", "text": "hi"}, content_type="application/json"
    )
    assert message.status_code == 403 and message.json()["code"] == "email_unconfirmed"
    assert not Post.objects.exists() and not Follow.objects.exists()

    # Ask for the link again from Settings → Security, then open it.
    browser = Browser()
    sign_in(browser, "ana@example.com")
    page = browser.get("/settings/security")
    assert "not confirmed" in page.content.decode()
    assert browser.http.post("/settings/email/resend", form_fields(page)).status_code == 302
    assert len([m for m in mail.outbox if m.to == ["ana@example.com"]]) == 2
    assert Browser().get(last_link("ana@example.com")).status_code == 302
    assert (
        anon.post("/api/spool/v1/posts/", {"text": "hello"}, content_type="application/json").status_code
        == 201
    )
    assert anon.post("/api/spool/v1/accounts/bea/follow", content_type="application/json").status_code == 200


def test_without_the_setting_nothing_is_sent_and_posting_works() -> None:
    anon = CommitClient()
    anon.post(
        "/api/spool/v1/accounts/",
        {"email": "ana@example.com", "password": PASSWORD, "handle": "ana"},
        content_type="application/json",
    )
    assert mail.outbox == []
    assert (
        anon.post("/api/spool/v1/posts/", {"text": "hello"}, content_type="application/json").status_code
        == 201
    )


def test_a_confirmation_link_for_an_old_address_does_nothing(confirmation_required: None) -> None:
    member("ana")
    link = last_link("ana@example.com")
    User.objects.filter(email="ana@example.com").update(email="ana2@example.com")
    assert Browser().get(link).status_code == 400
    assert User.objects.get(email="ana2@example.com").email_confirmed_at is None
