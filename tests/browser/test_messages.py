"""Two signed-in people in two browser contexts exchange messages and reactions live, through Debian's
chromium and a real ASGI server (uvicorn: HTTP and the ``/ws/messages`` WebSocket) on the test database."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from spool.identities.services import follow_account, register_account
from spool.messaging import services
from spool.messaging.models import Message, Reaction
from tests.browser.test_journey import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def asgi_server() -> Iterator[str]:
    """uvicorn serving Spool's ASGI application (and its static files) in a thread of this process.

    Django runs every synchronous view and consumer database call in one executor thread; on SQLite (an
    in-memory test database) that thread is given this thread's connection, as Django's own live server
    does, so both see the same data."""
    import uvicorn
    from asgiref.sync import sync_to_async
    from channels.layers import channel_layers
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from spool.asgi import application

    # The server's event loop gets its own channel layer (the Redis layer binds its locks to the loop that
    # first used it), and the tests after this one get a fresh one again.
    channel_layers.backends = {}
    shared = connections["default"]
    share = shared.vendor == "sqlite"
    if share:
        shared.inc_thread_sharing()

    def adopt_connection() -> None:
        connections["default"] = shared

    port = _free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)

    def serve() -> None:
        async def main() -> None:
            if share:
                await sync_to_async(adopt_connection, thread_sensitive=True)()
            await server.serve()

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        channel_layers.backends = {}
        if share:
            shared.dec_thread_sharing()
        else:
            _close_server_connections()


def _close_server_connections() -> None:
    """Close the PostgreSQL connections the server's views and consumers opened, so the test database can be
    dropped. They live in asgiref's one thread for thread-sensitive calls; a new thread with its own event
    loop reaches it (this thread may be running Playwright's loop)."""
    from asgiref.sync import sync_to_async

    closer = threading.Thread(target=lambda: asyncio.run(sync_to_async(connections.close_all)()))
    closer.start()
    closer.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop in this thread
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield launched
            finally:
                launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def signed_in_page(browser: Any, base: str, account: Any) -> Any:
    """A new browser context holding a session of ``account`` (made through Django's login)."""
    client = Client()
    client.force_login(account.user)
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_errors = []

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            page.csp_errors.append(message.text)

    page.on("console", note)
    return page


def test_two_people_exchange_messages_and_reactions_live(asgi_server: str, browser: Any) -> None:
    ana = register_account(email="ana@example.com", password="a long enough passphrase", handle="ana")
    bob = register_account(email="bob@example.com", password="a long enough passphrase", handle="bob")
    follow_account(ana, bob)
    follow_account(bob, ana)
    first = services.start_conversation(ana, bob, text="Hi Bob, are you there?")
    url = f"{asgi_server}/messages/{first.conversation_id}"

    ana_page = signed_in_page(browser, asgi_server, ana)
    bob_page = signed_in_page(browser, asgi_server, bob)
    for page in (ana_page, bob_page):
        page.goto(url)
        page.wait_for_selector("html[data-dm-live]")  # the WebSocket is open

    # Bob answers with the keyboard (Enter sends); Ana sees it without reloading.
    bob_page.focus("#dm-message")
    bob_page.keyboard.type("Yes! Here.")
    bob_page.keyboard.press("Enter")
    ana_page.wait_for_selector(".dm-message:has-text('Yes! Here.')")
    reply = Message.objects.get(text="Yes! Here.")
    assert bob_page.input_value("#dm-message") == ""

    # Ana reacts to Bob's message; Bob sees the reaction appear.
    ana_page.click(f"#m{reply.pk} button[aria-label='React ❤️']")
    bob_page.wait_for_selector(f"#m{reply.pk} .dm-reaction:has-text('❤️ 1')")
    assert Reaction.objects.get(message=reply).emoji == "❤️"

    # Ana writes; Bob sees it, and Ana sees that Bob has seen it.
    ana_page.fill("#dm-message", "Great, see you at six.")
    ana_page.click("#dm-composer button:has-text('Send')")
    bob_page.wait_for_selector(".dm-message:has-text('Great, see you at six.')")
    ana_page.wait_for_selector("#dm-seen:has-text('Seen')")

    # Bob changes nothing by reacting twice with the same emoji? No: the same button again removes it.
    latest = Message.objects.get(text="Great, see you at six.")
    bob_page.click(f"#m{latest.pk} button[aria-label='React 👍']")
    ana_page.wait_for_selector(f"#m{latest.pk} .dm-reaction:has-text('👍 1')")
    bob_page.click(f"#m{latest.pk} button[aria-label='React 👍']")
    ana_page.wait_for_selector(f"#m{latest.pk} .dm-reaction", state="detached")

    # Each message shows once on each side.
    for page in (ana_page, bob_page):
        assert page.locator(".dm-message:has-text('Great, see you at six.')").count() == 1
        assert page.csp_errors == []
