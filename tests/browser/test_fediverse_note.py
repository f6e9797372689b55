"""The composer's fediverse note in a real browser: as a person who shares to the fediverse writes, htmx asks
the server what will change on the way and shows it under the form — the same list the sender applies
(``spool.federation.degrade``). No Content-Security-Policy errors on the way."""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.sharing import change_fediverse_sharing
from spool.identities.services import register_account
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"


def test_the_composer_says_what_will_change_on_the_fediverse(live_server: Any, browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    url = live_server.url
    ana = register_account(email="ana@example.com", password=PASSWORD, handle="ana")
    change_fediverse_sharing(ana, True)

    page.goto(f"{url}/login")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/compose")
    page.wait_for_selector("#fediverse-note:has-text('Shared to the fediverse')")
    assert page.locator("#fediverse-note li").count() == 0

    page.fill("#id_text", "the ending: ||he lives||")
    page.wait_for_selector("#fediverse-note li[data-code='text_spoilers']")
    page.locator("summary:has-text('Text attachment')").click()
    page.fill("#id_attachment_text", "A long story")
    page.wait_for_selector("#fediverse-note li[data-code='text_attachment']")
    codes = page.locator("#fediverse-note li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert codes == ["text_attachment", "text_spoilers"]

    # Taking the spoiler out takes its note away.
    page.fill("#id_text", "the ending")
    page.wait_for_selector("#fediverse-note li[data-code='text_spoilers']", state="detached")
    page.click("button:has-text('Post')")
    page.wait_for_selector("text=On the fediverse: The text attachment is sent as a link")
    assert page.csp_errors == []
