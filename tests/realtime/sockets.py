"""Helpers for WebSocket tests: people with tokens, sockets through the real ASGI application (routing,
session middleware, consumers, channel layer), and running a scenario written as a coroutine.

Scenarios run with ``run(scenario)``: the coroutine gets its own event loop while database work it hands to
``db(...)`` runs in the test's thread. Tests using sockets need committed data (``transactional_db``):
events are pushed only after commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from spool.asgi import application
from spool.identities.models import Account
from spool.identities.services import register_account
from spool.oauth import scopes as scope_rules
from spool.oauth.services import create_application, issue_token
from spool.realtime import listeners

T = TypeVar("T")
WAIT = 5  # seconds to wait for an expected frame before failing


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return async_to_sync(scenario)()


def db(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    return database_sync_to_async(function)


def person(handle: str, **profile: Any) -> Account:
    return register_account(
        email=f"{handle}@example.com", password="correct horse battery staple", handle=handle, **profile
    )


def token_for(account: Account | None, scopes: str = "read write follow") -> str:
    app = create_application(name="Socket test", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes=scopes)
    return issue_token(app.application, account, scope_rules.parse(scopes)).access_token


def socket(query: dict[str, str] | None = None, **kwargs: Any) -> WebsocketCommunicator:
    path = "/api/v1/streaming" + (f"?{urlencode(query)}" if query else "")
    return WebsocketCommunicator(application, path, **kwargs)


async def listen(*groups: str) -> Callable[[], Awaitable[dict[str, Any]]]:
    """A bare channel in ``groups``, joined as a streaming connection joins them (a home group's listener
    recorded first); returns a function that waits for its next message."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for group in groups:
        await listeners.join(layer, group, channel)

    async def receive() -> dict[str, Any]:
        import asyncio

        return await asyncio.wait_for(layer.receive(channel), WAIT)

    return receive


def upload(owner: Account) -> Any:
    """An image uploaded through the media service, ready to attach."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from spool.posts.services import upload_media

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return upload_media(owner, SimpleUploadedFile("a.png", buffer.getvalue(), "image/png"))
