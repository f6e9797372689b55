"""A person's first visit, driven through Debian's chromium with Playwright against a live server: sign up,
post with a topic and a spoiler, reveal the spoiler, follow, like, reply, sign out and read a profile logged
out. The page must work under the strict Content-Security-Policy (no inline scripts or styles)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from spool.identities.services import register_account
from spool.posts.models import Like, Post
from spool.posts.services import create_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/spool-home.png")


@pytest.fixture
def _async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread, so Django would take the test's own database
    calls for calls from async code. They are not: allow them, for this module's tests only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(_async_unsafe_allowed: None) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1000, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.csp_errors = []  # type: ignore[attr-defined]

        def note_csp_error(message: Any) -> None:
            if "Content Security Policy" in message.text:
                page.csp_errors.append(message.text)

        page.on("console", note_csp_error)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            _finish_request_threads()
            connections.close_all()


def _finish_request_threads() -> None:
    """Let the live server's request threads end (each closes its database connection when its keep-alive
    connection closes), so the test database can be dropped at the end of the session."""
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        if getattr(target, "__name__", "") == "process_request_thread":
            thread.join(timeout=10)


def test_first_visit_journey(live_server: Any, browser_page: Any) -> None:
    page = browser_page
    url = live_server.url
    bob = register_account(email="bob@example.com", password="bob's long password", handle="bob")
    bobs_post = create_post(bob, text="Hello from Bob, the first post here")

    # Sign up.
    page.goto(f"{url}/signup")
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_password", "a long enough passphrase")
    page.fill("#id_handle", "ada")
    page.fill("#id_display_name", "Ada Lovelace")
    page.click("button:has-text('Create account')")
    page.wait_for_url(f"{url}/")
    assert page.is_visible("text=Log out")

    # Write a post with a topic tag and a spoiler: select words and mark them with the composer's button.
    text = "Finished the film tonight. The ending: the hero survives"
    page.fill("#id_text", text)
    assert page.inner_text("#id_text_count") == f"{len(text)} / 500"
    start = text.index("the hero")
    select = "([start, end]) => document.getElementById('id_text').setSelectionRange(start, end)"
    page.evaluate(select, [start, len(text)])
    page.click("button:has-text('Hide selection as spoiler')")
    assert page.input_value("#id_text").endswith("||the hero survives||")
    page.fill("#id_topic", "Cinema")
    page.click("button.button-primary:has-text('Post')")
    page.wait_for_url(f"{url}/@ada/post/*")
    post = Post.objects.get(author__handle="ada")
    assert post.spoilers == [[start, len(text) - start]] and post.topic.display == "Cinema"

    # The spoiler is hidden until clicked.
    spoiler = page.locator(".post.is-focus .spoiler").first
    assert spoiler.inner_text() == "the hero survives"
    hidden_color = spoiler.evaluate("el => getComputedStyle(el).color")
    assert hidden_color in ("rgba(0, 0, 0, 0)", "transparent")
    spoiler.click()
    assert "revealed" in spoiler.get_attribute("class")
    _wait_for_style(page, ".post.is-focus .spoiler", "color", lambda value: value not in TRANSPARENT)
    assert page.is_visible("a.topic:has-text('Cinema')")

    # Follow Bob from his profile (htmx swaps the button).
    page.goto(f"{url}/@bob")
    page.click("button:has-text('Follow')")
    page.wait_for_selector("button:has-text('Following')")

    # Like Bob's post and reply to it.
    page.goto(f"{url}/@bob/post/{bobs_post.id}")
    like = page.locator(f"#actions-{bobs_post.id} button.like")
    like.click()
    page.wait_for_selector(f"#actions-{bobs_post.id} button.like[aria-pressed='true']")
    assert Like.objects.filter(post=bobs_post, account__handle="ada").exists()
    page.fill("#reply textarea[name='text']", "Welcome, Bob!")
    page.click("#reply button:has-text('Reply')")
    page.wait_for_selector("text=Welcome, Bob!")
    reply = Post.objects.get(text="Welcome, Bob!")
    assert reply.reply_to_id == bobs_post.id

    # Home shows the people followed; keep a picture of it to judge the look.
    page.goto(f"{url}/")
    page.wait_for_selector("text=Hello from Bob")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Sign out, then read Ada's profile as a visitor.
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{url}/new")
    page.goto(f"{url}/@ada")
    assert page.is_visible("h1:has-text('Ada Lovelace')")
    assert page.is_visible("text=Finished the film tonight.")
    assert page.is_visible("a.topic:has-text('Cinema')")
    assert page.is_visible("a:has-text('Sign up')")
    # Reading works without the nav's signed-in links, and acting asks to sign in.
    assert not page.is_visible("text=Log out")

    assert page.csp_errors == []


def test_reading_without_javascript(live_server: Any, _async_unsafe_allowed: None) -> None:
    """With JavaScript off, pages read fine: a spoiler shows when focused (CSS only), a media spoiler when its
    "Show" label is clicked (a checkbox), and "Load more" is an ordinary link."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from spool.posts.services import upload_media
    from tests.web.conftest import png_file

    ada = register_account(email="ada@example.com", password="a long enough passphrase", handle="ada")
    for i in range(21):
        create_post(ada, text=f"Filler post {i:02d}")
    image = upload_media(ada, png_file(size=64), alt_text="A blue square")
    text = "The murderer is the gardener"
    post = create_post(ada, text=text, spoilers=[[16, 12]], media_ids=[image.id], media_spoiler=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{live_server.url}/@ada/post/{post.id}")
            spoiler = ".post.is-focus .spoiler"
            assert _style(page, spoiler, "color") in TRANSPARENT
            page.focus(spoiler)
            _wait_for_style(
                page,
                spoiler,
                "color",
                lambda value: value == _style(page, ".post.is-focus .post-text", "color"),
            )
            picture = ".post.is-focus .media-grid img"
            assert "blur" in _style(page, picture, "filter")
            page.click(".post.is-focus .media-cover")
            _wait_for_style(page, picture, "filter", lambda value: value == "none")

            page.goto(f"{live_server.url}/@ada")
            assert not page.is_visible("text=Filler post 00")
            page.click("a.load-more")
            page.wait_for_selector("text=Filler post 00")
        finally:
            context.close()
            browser.close()
            _finish_request_threads()
            connections.close_all()


TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def _style(page: Any, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}"))


def _wait_for_style(page: Any, selector: str, prop: str, expected: Any) -> None:
    """Wait out the CSS transition until ``expected(value)`` holds for ``prop`` of ``selector`` (polled from
    here: with JavaScript off, the page runs no polling function of its own)."""
    for _ in range(100):
        if expected(_style(page, selector, prop)):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{selector} {prop} stayed {_style(page, selector, prop)!r}")
