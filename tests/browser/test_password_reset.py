"""Password reset in Debian's chromium against a live server: "Forgot your password?" on the login page,
the link from the email Django's test backend caught, a new password, and logging in with it (the old one
no longer works, and the link works only once)."""

from __future__ import annotations

from typing import Any

import pytest

from spool.identities.services import register_account
from tests.accounts.security import last_link
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401 (fixtures)
from tests.browser.test_moderation import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "a brand new passphrase"


def test_a_person_resets_a_forgotten_password_and_logs_in_with_the_new_one(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, url = browser_page, live_server.url
    register_account(email="ana@example.com", password=PASSWORD, handle="ana")

    page.goto(f"{url}/login")
    page.click("a:has-text('Forgot your password?')")
    page.wait_for_url(f"{url}/password/reset")
    page.fill("#id_email", "ana@example.com")
    page.click("button:has-text('Send the link')")
    assert page.locator("#reset-sent").is_visible()

    link = last_link("ana@example.com")
    page.goto(url + link)
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button:has-text('Save the new password')")
    page.wait_for_url(f"{url}/login")
    assert page.is_visible("text=Your password is changed.")

    # The old password is refused; the new one signs in.
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    assert page.url.startswith(f"{url}/login")
    assert page.locator(".field-error, .form-errors, [role='alert']").first.is_visible()
    sign_in(page, url, "ana@example.com", password=NEW_PASSWORD)
    assert page.is_visible("button:has-text('Log out')")

    # The link worked once.
    page.goto(url + link)
    assert page.locator("form[action^='/password/reset/']").count() == 0
    assert page.csp_errors == []
