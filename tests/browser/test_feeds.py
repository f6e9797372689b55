"""Switching feeds on the home page and making a custom feed, driven through Debian's chromium against a live
server: the switcher swaps the list with htmx (and the address follows), works from the keyboard, and a
feed created and pinned on the Feeds pages shows up in it. No Content-Security-Policy errors on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spool.communities.services import create_community
from spool.identities.services import follow_account, register_account
from spool.posts.services import create_post, like_post, save_post
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"
SCREENSHOT = Path("/tmp/spool-feeds.png")


def test_switch_feeds_then_create_and_pin_a_feed(live_server: Any, browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    url = live_server.url
    ana = register_account(email="ana@example.com", password=PASSWORD, handle="ana")
    bob = register_account(email="bob@example.com", password=PASSWORD, handle="bob")
    cy = register_account(email="cy@example.com", password=PASSWORD, handle="cy")
    follow_account(ana, bob)
    create_post(bob, text="Bob follows up on his day")
    liked = create_post(cy, text="Cy wrote something Ana liked")
    saved = create_post(cy, text="Cy wrote something Ana saved")
    create_post(cy, text="Cy reviews the new film", topic="Cinema")
    like_post(ana, liked.id)
    save_post(ana, saved.id)
    mod = register_account(email="mod@example.com", password=PASSWORD, handle="mod")
    mod.user.is_staff = True
    mod.user.save(update_fields=["is_staff"])
    create_community(mod, topic="Cinema", name="Film lovers")

    page.goto(f"{url}/login")
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    switcher = page.locator("nav[aria-label='Feeds']")
    assert switcher.locator("a[aria-current='page']").inner_text() == "Following"
    page.wait_for_selector("text=Bob follows up on his day")

    # A click swaps the list in place (the composer stays) and the address follows.
    page.locator("#id_text").fill("a draft that must survive the swap")
    switcher.locator("a:has-text('Liked')").click()
    page.wait_for_selector("text=Cy wrote something Ana liked")
    page.wait_for_url(f"{url}/?feed=liked")
    assert not page.is_visible("text=Bob follows up on his day")
    assert page.input_value("#id_text") == "a draft that must survive the swap"
    assert page.locator("nav[aria-label='Feeds'] a[aria-current='page']").inner_text() == "Liked"

    # From the keyboard: focus Saved and press Enter.
    page.locator("nav[aria-label='Feeds'] a:has-text('Saved')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Cy wrote something Ana saved")
    assert page.locator("nav[aria-label='Feeds'] a[aria-current='page']").inner_text() == "Saved"
    page.locator("nav[aria-label='Feeds'] a:has-text('Fediverse')").click()
    page.wait_for_selector("text=Find someone by searching for @user@server")

    # Create a feed on the Feeds page and pin it.
    page.locator("nav[aria-label='Feeds'] a:has-text('Edit feeds')").click()
    page.wait_for_url(f"{url}/feeds")
    page.click("a:has-text('New feed')")
    page.fill("#id_name", "Film club")
    page.fill("#id_topics", "Cinema")
    page.click("button:has-text('Create feed')")
    page.wait_for_selector("h1:has-text('Film club')")
    page.wait_for_selector("text=Cy reviews the new film")
    page.click("button:has-text('Pin')")
    page.wait_for_selector("button:has-text('Unpin')")

    # It is in the switcher now, after Following, and shows its posts.
    page.goto(f"{url}/")
    entries = page.locator("nav[aria-label='Feeds'] a").all_inner_texts()
    assert entries[:3] == ["Following", "For You", "Film club"]
    page.locator("nav[aria-label='Feeds'] a:has-text('Film club')").click()
    page.wait_for_selector("text=Cy reviews the new film")
    assert not page.is_visible("text=Bob follows up on his day")

    # Joining a community on its page pins it in the switcher; its entry opens the community.
    page.goto(f"{url}/c/film-lovers")
    page.click("button:has-text('Join')")
    page.wait_for_selector("text=It's pinned in your feeds")
    page.goto(f"{url}/")
    entries = page.locator("nav[aria-label='Feeds'] a").all_inner_texts()
    assert entries[:4] == ["Following", "For You", "Film club", "Film lovers"]
    page.locator("nav[aria-label='Feeds'] a:has-text('Film lovers')").click()
    page.wait_for_url(f"{url}/c/film-lovers")
    page.wait_for_selector("text=Cy reviews the new film")
    page.screenshot(path=str(SCREENSHOT), full_page=True)  # to judge the look

    assert page.csp_errors == []
