"""Helpers for the account-security tests: people made through the real services, browsers that enforce
CSRF, real TOTP codes from pyotp, and the links in the emails Django's locmem backend caught."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from django.core import mail

from spool.identities.models import Account
from spool.identities.services import register_account
from tests.oauth.client import PASSWORD, Browser, form_fields

__all__ = [
    "PASSWORD",
    "Browser",
    "code_for",
    "enable_two_factor",
    "form_fields",
    "last_link",
    "member",
    "sign_in",
]


def member(handle: str, **extra: Any) -> Account:
    return register_account(email=f"{handle}@example.com", password=PASSWORD, handle=handle, **extra)


def sign_in(browser: Browser, email: str, password: str = PASSWORD, next_url: str = "") -> Any:
    """Submit the sign-in form (the password step)."""
    login_url = "/login" + (f"?next={next_url}" if next_url else "")
    return browser.sign_in(login_url, email, password)


def code_for(secret: str, steps_from_now: int = 1) -> str:
    """The authenticator code ``steps_from_now`` 30-second steps away (computed by pyotp, not Spool).

    The default, the next step, is later than the step the enrolment used (so it is not a replay) and
    still inside the server's one-step drift window even if a step boundary passes before the request is
    handled — a slow machine cannot make these tests flaky."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)


def secret_on(page: Any) -> str:
    found = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.content.decode())
    assert found, page.content.decode()
    return found.group(1)


def enable_two_factor(browser: Browser) -> tuple[str, list[str]]:
    """Turn two-factor on through Settings → Security as a person would: start, read the key, confirm with
    the current code (later steps stay free for signing in). Returns the secret and the recovery codes."""
    started = browser.http.post(
        "/settings/security/two-factor/start", form_fields(browser.get("/settings/security"))
    )
    assert started.status_code == 302, started.content
    page = browser.get("/settings/security")
    secret = secret_on(page)
    confirmed = browser.http.post(
        "/settings/security/two-factor/confirm", {**form_fields(page), "code": code_for(secret, 0)}
    )
    assert confirmed.status_code == 200, confirmed.content
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", confirmed.content.decode())
    assert len(codes) == 10
    return secret, codes


def last_link(to: str) -> str:
    """The path of the link in the newest email sent to ``to``."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no email to {to}: {[m.to for m in mail.outbox]}")
