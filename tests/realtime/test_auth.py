"""How a WebSocket says who it is: a token in the places Mastodon clients put it, or the web app's session
cookie from the same origin only. Checked through real handshakes on the Channels stack."""

from __future__ import annotations

from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import path

from spool.identities.services import deactivate_account
from spool.realtime.auth import session_account, token_account, token_from_scope
from tests.realtime.sockets import db, person, run, token_for

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(AsyncWebsocketConsumer):
    """Answers with what the helpers found in the handshake: session account ID, token account ID."""

    async def connect(self) -> None:
        by_session = await db(session_account)(self.scope)
        bearer = token_from_scope(self.scope)
        token = await db(token_account)(bearer.raw) if bearer else None
        await self.accept(subprotocol=bearer.subprotocol if bearer else None)
        session_id = by_session.id if by_session else None
        await self.send(text_data=f"{session_id} {token.account_id if token else None}")


app = AuthMiddlewareStack(URLRouter([path("who", WhoAmI.as_asgi())]))


def ask(path: str = "/who", headers: list[tuple[bytes, bytes]] | None = None, **kwargs: Any) -> str:
    async def scenario() -> str:
        socket = WebsocketCommunicator(app, path, headers=headers or [], **kwargs)
        connected, _ = await socket.connect()
        assert connected
        answer = await socket.receive_from()
        await socket.disconnect()
        return answer

    return run(scenario)


def signed_in_cookie(account: Any) -> bytes:
    client = Client()
    client.force_login(account.user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def test_a_token_is_read_from_the_query_the_authorization_header_or_the_subprotocol() -> None:
    ana = person("ana")
    token = token_for(ana)
    assert ask(f"/who?access_token={token}") == f"None {ana.id}"
    assert ask(headers=[(b"authorization", f"Bearer {token}".encode())]) == f"None {ana.id}"
    assert ask(subprotocols=[token]) == f"None {ana.id}"


def test_an_unknown_or_revoked_token_is_nobody() -> None:
    ana = person("ana")
    token = token_for(ana)
    assert ask("/who?access_token=not-a-token") == "None None"
    deactivate_account(ana)
    assert ask(f"/who?access_token={token}") == "None None"


def test_the_session_cookie_counts_from_the_same_origin_only() -> None:
    ana = person("ana")
    cookie = signed_in_cookie(ana)
    same = [(b"cookie", cookie), (b"host", b"spool.test"), (b"origin", b"https://spool.test")]
    assert ask(headers=same) == f"{ana.id} None"
    other = [(b"cookie", cookie), (b"host", b"spool.test"), (b"origin", b"https://evil.test")]
    assert ask(headers=other) == "None None"
    assert ask(headers=[(b"cookie", cookie), (b"host", b"spool.test")]) == "None None"  # no Origin
    assert ask(headers=[(b"host", b"spool.test"), (b"origin", b"https://spool.test")]) == "None None"
