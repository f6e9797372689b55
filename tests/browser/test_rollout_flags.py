"""The rollout flags admin page in Debian's chromium against a live server: an admin creates a flag, turns it
on for a percentage of accounts and an allowlist, and finds the change in the audit log; the flag then
answers for the allowlisted account. A moderator who is not an admin is refused the page."""

from __future__ import annotations

from typing import Any

import pytest

from spool.identities.services import register_account
from spool.moderation.models import AuditEntry
from spool.moderation.services import grant_role
from spool.rollout.evaluate import is_enabled
from spool.rollout.models import Flag
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401 (fixtures)
from tests.browser.test_moderation import PASSWORD, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_a_flag_sets_who_has_it_and_sees_the_audit_entry(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, url = browser_page, live_server.url
    admin = register_account(email="ada@example.com", password=PASSWORD, handle="ada")
    grant_role(None, admin, "admin")
    tester = register_account(email="tess@example.com", password=PASSWORD, handle="tess")
    mod = register_account(email="mod@example.com", password=PASSWORD, handle="mod")
    grant_role(None, mod, "moderator")

    # A moderator is not an admin: the page is refused (as missing, so it does not tell it exists).
    sign_in(page, url, "mod@example.com")
    refused = page.goto(f"{url}/moderation/flags")
    assert refused is not None and refused.status == 404
    sign_out(page, url)

    sign_in(page, url, "ada@example.com")
    page.goto(f"{url}/moderation/flags")
    # A name the code could not ask for is refused beside its field, and nothing is saved.
    page.fill("#id_name", "Not A Slug!")
    page.click("button:has-text('Save')")
    assert page.locator("#flag-error").is_visible()
    assert not Flag.objects.exists()

    page.fill("#id_name", "beta-search")
    page.fill("#id_description", "The new search page")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{url}/moderation/flags/beta-search")
    assert page.is_visible("text=Flag saved.")

    # On for a quarter of accounts, and always for Tess.
    page.check("#id_enabled")
    page.fill("#id_percentage", "25")
    page.fill("#id_handles", "@tess")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{url}/moderation/flags/beta-search")
    assert page.is_visible("text=Flag saved.")
    assert page.input_value("#id_percentage") == "25"
    assert page.input_value("#id_handles").strip() in ("tess", "@tess")
    flag = Flag.objects.get(name="beta-search")
    assert flag.enabled and flag.percentage == 25 and flag.account_ids == [tester.pk]
    assert is_enabled("beta-search", tester)

    page.goto(f"{url}/moderation/flags")
    assert "25 % + 1 account" in page.locator("#flags").inner_text()

    # Both saves are in the audit log, newest first, by the admin.
    page.goto(f"{url}/moderation/log")
    entries = page.locator("#audit-log .audit-entry")
    assert "@ada rollout" in entries.first.inner_text() and "beta-search" in entries.first.inner_text()
    saved = AuditEntry.objects.filter(verb="rollout", target_label="beta-search").order_by("-id")
    assert saved.count() == 2 and saved[0].actor_label == "@ada"
    assert page.csp_errors == []
