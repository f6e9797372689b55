"""Searching, driven through Debian's chromium against a live server: a logged-out visitor searches a keyword
(public posts only), switches Top and Recent, uses tag mode and finds a profile; a signed-in person does the
same from the navigation and also sees a followed private profile's post, with their hidden words applied and
a blocked person's posts left out. No Content-Security-Policy errors on the way."""

from __future__ import annotations

from typing import Any

import pytest

from spool.identities.services import block_account, follow_account, register_account, update_profile
from spool.identities.services.word_filters import add_hidden_word
from spool.posts.services import create_post, like_post
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"


def _results(page: Any) -> list[str]:
    """The texts of the posts on the page, top to bottom."""
    return [text.strip() for text in page.locator("article .post-text").all_inner_texts()]


def _search(page: Any, q: str) -> None:
    page.fill("#search-q", q)
    page.click("form[role='search'] button:has-text('Search')")
    page.wait_for_selector("nav[aria-label='Search results']")


def _tab(page: Any, name: str) -> None:
    page.locator("nav[aria-label='Search results'] a", has_text=name).click()
    page.wait_for_selector(f"nav[aria-label='Search results'] a[aria-current='page']:has-text('{name}')")


def test_search_logged_out_and_signed_in(live_server: Any, browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    url = live_server.url
    ana = register_account(email="ana@example.com", password=PASSWORD, handle="ana")
    bob = register_account(email="bob@example.com", password=PASSWORD, handle="bob", display_name="Bob Kiln")
    cy = register_account(email="cy@example.com", password=PASSWORD, handle="cy")
    dee = register_account(email="dee@example.com", password=PASSWORD, handle="dee")
    follow_account(ana, dee)
    update_profile(dee, is_private=True)
    popular = create_post(bob, text="Older pottery glaze with crackle")
    newest = create_post(cy, text="Newest pottery wheel arrived")
    for fan in (ana, cy, dee):
        like_post(fan, popular.id)
    create_post(bob, text="Throwing bowls today", topic="Ceramics")
    create_post(dee, text="Private pottery notes for followers")
    create_post(cy, text="Pottery shop spam offer")

    # Logged out: public posts only; Top ranks the liked post first, Recent the newest.
    page.goto(f"{url}/search")
    _search(page, "pottery")
    page.wait_for_selector(f"text={popular.text}")
    top = _results(page)
    assert top[0] == popular.text and "Private pottery notes for followers" not in top
    _tab(page, "Recent")
    recent = _results(page)
    assert recent[0] == "Pottery shop spam offer" and recent.index(newest.text) < recent.index(popular.text)
    assert "Private pottery notes for followers" not in recent
    # Tag mode and a profile.
    _search(page, "#ceramics")
    page.wait_for_selector("text=Posts in the topic")
    assert _results(page) == ["Throwing bowls today"]
    _search(page, "Bob K")
    _tab(page, "Profiles")
    page.wait_for_selector("ul[aria-label='Profiles'] >> text=@bob")
    page.click("ul[aria-label='Profiles'] a:has-text('Bob Kiln')")
    page.wait_for_url(f"{url}/@bob")

    # Signed in: a followed private profile's post shows, a hidden word and a block take effect.
    add_hidden_word(ana, "spam")
    block_account(ana, bob)
    page.goto(f"{url}/login")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    page.locator("nav a:has-text('Search')").first.click()
    page.wait_for_url(f"{url}/search")
    _search(page, "pottery")
    _tab(page, "Recent")
    page.wait_for_selector("text=Private pottery notes for followers")
    assert _results(page) == ["Private pottery notes for followers", newest.text]
    _tab(page, "Top")
    assert sorted(_results(page)) == sorted([newest.text, "Private pottery notes for followers"])
    _search(page, "#ceramics")
    page.wait_for_selector("text=No posts found.")
    assert page.csp_errors == []  # type: ignore[attr-defined]
