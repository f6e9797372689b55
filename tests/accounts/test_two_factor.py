"""Two-factor authentication through the web app, with real codes computed by pyotp: enrolment with a QR
code, sign-in as two steps (no session after the password alone), recovery codes, replays, throttling,
turning it off, and OAuth authorization going through the same second step."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from spool.accounts.models import RecoveryCode, TotpDevice
from spool.accounts.two_factor import CODE_LIMIT
from spool.identities.models import Account
from spool.identities.services import deactivate_account
from tests.accounts.security import (
    Browser,
    code_for,
    enable_two_factor,
    form_fields,
    member,
    secret_on,
    sign_in,
)
from tests.oauth.client import App, redirect_params

pytestmark = pytest.mark.django_db
Enrolled = tuple[str, list[str]]  # the secret and the recovery codes


@pytest.fixture
def ana_with_two_factor(db: None) -> Enrolled:
    """@ana, who turned two-factor on in Settings → Security: her secret and recovery codes."""
    member("ana")
    setup = Browser()
    sign_in(setup, "ana@example.com")
    return enable_two_factor(setup)


def signed_in(browser: Browser) -> bool:
    return SESSION_KEY in browser.http.session and browser.get("/settings/account").status_code == 200


def second_step(browser: Browser, code: str) -> object:
    page = browser.get("/login/two-factor")
    assert page.status_code == 200, page
    return browser.http.post("/login/two-factor", {**form_fields(page), "code": code})


def test_enrolment_shows_a_qr_code_and_needs_a_right_code() -> None:
    member("ana")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    browser.http.post("/settings/security/two-factor/start", form_fields(browser.get("/settings/security")))
    page = browser.get("/settings/security")
    body = page.content.decode()
    assert "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    secret = secret_on(page)
    # A wrong code leaves two-factor off.
    wrong = browser.http.post(
        "/settings/security/two-factor/confirm", {**form_fields(page), "code": "000000"}
    )
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.content.decode()
    assert TotpDevice.objects.get(user__email="ana@example.com").confirmed_at is None
    right = browser.http.post(
        "/settings/security/two-factor/confirm", {**form_fields(page), "code": code_for(secret)}
    )
    assert right.status_code == 200
    assert TotpDevice.objects.get(user__email="ana@example.com").confirmed_at is not None
    # Recovery codes are stored hashed only.
    stored = list(
        RecoveryCode.objects.filter(user__email="ana@example.com").values_list("code_hash", flat=True)
    )
    assert len(stored) == 10 and all(len(h) == 64 for h in stored)
    assert not any(code in right.content.decode() for code in stored)


def test_sign_in_asks_for_the_code_after_the_password_and_gives_no_session_before_it(
    ana_with_two_factor: Enrolled,
) -> None:
    secret, _ = ana_with_two_factor

    browser = Browser()
    after_password = sign_in(browser, "ana@example.com")
    assert after_password.status_code == 302
    assert after_password["Location"] == "/login/two-factor"
    assert not signed_in(browser)
    wrong = second_step(browser, "123456" if code_for(secret) != "123456" else "654321")
    assert wrong.status_code == 422
    assert not signed_in(browser)
    right = second_step(browser, code_for(secret))
    assert right.status_code == 302
    assert signed_in(browser)


def test_a_code_works_once(ana_with_two_factor: Enrolled) -> None:
    secret, _ = ana_with_two_factor
    first = Browser()
    sign_in(first, "ana@example.com")
    code = code_for(secret)
    assert second_step(first, code).status_code == 302
    replay = Browser()
    sign_in(replay, "ana@example.com")
    assert second_step(replay, code).status_code == 422
    # Nor an older one.
    assert second_step(replay, code_for(secret, 0)).status_code == 422
    assert not signed_in(replay)


def test_recovery_codes_sign_in_once_each(ana_with_two_factor: Enrolled) -> None:
    _, codes = ana_with_two_factor
    browser = Browser()
    sign_in(browser, "ana@example.com")
    assert second_step(browser, codes[0].upper()).status_code == 302
    again = Browser()
    sign_in(again, "ana@example.com")
    assert second_step(again, codes[0]).status_code == 422
    assert second_step(again, codes[1]).status_code == 302
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 8


def test_code_attempts_are_throttled_at_the_limit(ana_with_two_factor: Enrolled) -> None:
    secret, _ = ana_with_two_factor
    browser = Browser()
    sign_in(browser, "ana@example.com")
    # The enrolment's confirmation counted one attempt; the rest of the window is spent on wrong codes.
    wrong = "111111" if "111111" not in {code_for(secret, n) for n in range(-1, 4)} else "222222"
    for _ in range(CODE_LIMIT.limit - 1):
        assert second_step(browser, wrong).status_code == 422
    refused = second_step(browser, code_for(secret))
    assert refused.status_code == 422
    assert "Too many two-factor codes" in refused.content.decode()
    assert not signed_in(browser)


def test_the_last_attempt_within_the_limit_still_signs_in(ana_with_two_factor: Enrolled) -> None:
    secret, _ = ana_with_two_factor
    browser = Browser()
    sign_in(browser, "ana@example.com")
    wrong = "111111" if "111111" not in {code_for(secret, n) for n in range(-1, 4)} else "222222"
    for _ in range(CODE_LIMIT.limit - 2):
        assert second_step(browser, wrong).status_code == 422
    assert second_step(browser, code_for(secret)).status_code == 302
    assert signed_in(browser)


def test_turning_off_needs_the_password_and_a_code() -> None:
    member("ana")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    secret, _ = enable_two_factor(browser)
    page = browser.get("/settings/security")
    fields = form_fields(page)
    bad_password = browser.http.post(
        "/settings/security/two-factor/disable",
        {**fields, "password": "not it at all", "code": code_for(secret)},
    )
    assert bad_password.status_code == 422
    no_code = browser.http.post(
        "/settings/security/two-factor/disable",
        {**fields, "password": "correct horse battery staple", "code": ""},
    )
    assert no_code.status_code == 422
    assert TotpDevice.objects.filter(confirmed_at__isnull=False).count() == 1
    done = browser.http.post(
        "/settings/security/two-factor/disable",
        {**fields, "password": "correct horse battery staple", "code": code_for(secret)},
    )
    assert done.status_code == 302
    assert not TotpDevice.objects.exists() and not RecoveryCode.objects.exists()
    # Signing in is one step again.
    fresh = Browser()
    assert sign_in(fresh, "ana@example.com")["Location"] == "/"


def test_oauth_authorization_goes_through_the_second_step(ana_with_two_factor: Enrolled) -> None:
    secret, _ = ana_with_two_factor
    app = App.register()
    browser = Browser()
    to_login = browser.get(app.authorize_url(state="xyz"))
    assert to_login.status_code == 302 and to_login["Location"].startswith("/login")
    after_password = browser.sign_in(to_login["Location"], "ana@example.com")
    assert after_password["Location"] == "/login/two-factor"
    # Without the code the consent page still sends to sign-in.
    assert browser.get(app.authorize_url(state="xyz"))["Location"].startswith("/login")
    back = second_step(browser, code_for(secret))
    assert back.status_code == 302 and back["Location"].startswith("/oauth/authorize")
    consent = browser.get(back["Location"])
    assert consent.status_code == 200
    answer = browser.press(consent, "authorize")
    assert redirect_params(answer)["state"] == "xyz"
    assert app.exchange(redirect_params(answer)["code"]).status_code == 200


def test_a_stale_second_step_sends_back_to_the_password(settings: object) -> None:
    browser = Browser()
    response = browser.get("/login/two-factor")
    assert response.status_code == 302 and response["Location"] == "/login"


def test_a_deactivated_profile_comes_back_only_after_the_code(ana_with_two_factor: Enrolled) -> None:
    secret, _ = ana_with_two_factor
    ana = Account.objects.get(handle="ana")
    deactivate_account(ana)
    browser = Browser()
    assert sign_in(browser, "ana@example.com")["Location"] == "/login/two-factor"
    assert not Account.objects.get(handle="ana").is_active  # the password alone does not bring it back
    assert second_step(browser, code_for(secret)).status_code == 302
    assert Account.objects.get(handle="ana").is_active
