"""Direct messages over the WebSocket at ``/ws/messages``, through the real ASGI application (routing,
consumer, channel layer) with real tokens and services: live delivery, edits, unsends, reactions, read
receipts, typing, and catch-up after a disconnect with no loss and no duplicate."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from channels.testing import WebsocketCommunicator

from spool.asgi import application
from spool.identities.services import follow_account
from spool.messaging import services
from tests.realtime.sockets import WAIT, db, person, run, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def socket(token: str | None, **query: str) -> WebsocketCommunicator:
    params = {**({"access_token": token} if token else {}), **query}
    return WebsocketCommunicator(application, "/ws/messages" + (f"?{urlencode(params)}" if params else ""))


async def opened(token: str, **query: str) -> WebsocketCommunicator:
    """A connected socket whose catch-up (none without ``since``) is over: its ``caught_up`` frame read."""
    connection = socket(token, **query)
    connected, _ = await connection.connect(timeout=WAIT)
    assert connected
    if "since" not in query:
        assert (await frame(connection))["type"] == "caught_up"
    return connection


async def frame(connection: WebsocketCommunicator) -> dict[str, Any]:
    return json.loads(await connection.receive_from(timeout=WAIT))


async def frames_until(connection: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    """Every frame up to and including the first of type ``kind``."""
    got = []
    while True:
        got.append(await frame(connection))
        if got[-1]["type"] == kind:
            return got


async def quiet(connection: WebsocketCommunicator) -> None:
    """Nothing more is waiting: a ping is answered next (frames are handled and sent in order)."""
    await connection.send_to(text_data=json.dumps({"type": "ping"}))
    assert (await frame(connection))["type"] == "pong"


@pytest.fixture
def pair():
    """Ana and Bob follow each other; each has a token."""
    ana, bob = person("ana"), person("bob")
    follow_account(ana, bob)
    follow_account(bob, ana)
    return ana, bob, token_for(ana, "read write"), token_for(bob, "read write")


def test_a_socket_needs_a_token_with_read_access_or_a_session():
    ana = person("ana")
    for token in (None, "nonsense", token_for(ana, "write"), token_for(None, "read")):

        async def scenario(token=token):
            connected, code = await socket(token).connect(timeout=WAIT)
            assert not connected and code == 4401

        run(scenario)


def test_live_delivery_to_the_recipient_and_the_senders_other_devices(pair):
    ana, bob, ana_token, bob_token = pair

    async def scenario():
        bob_socket, ana_socket = await opened(bob_token), await opened(ana_token)
        message = await db(services.start_conversation)(ana, bob, text="hello bob")
        got = await frame(bob_socket)
        assert got["type"] == "message.new"
        assert got["message"]["id"] == str(message.pk) and got["message"]["text"] == "hello bob"
        assert got["message"]["sender"]["handle"] == "ana" and got["notify"] is True
        own = await frame(ana_socket)
        assert own["message"]["id"] == str(message.pk) and own["notify"] is False  # her own message
        # In a muted conversation messages still arrive, without a notification.
        await db(services.set_muted)(bob, message.conversation_id, True)
        await db(services.send_message)(ana, message.conversation_id, text="quietly")
        got = await frame(bob_socket)
        assert got["message"]["text"] == "quietly" and got["notify"] is False
        await frame(ana_socket)
        await quiet(bob_socket)
        await bob_socket.disconnect()
        await ana_socket.disconnect()

    run(scenario)


def test_edit_unsend_and_reactions_arrive_as_updates(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        message = await db(services.start_conversation)(ana, bob, text="helo")
        bob_socket = await opened(bob_token)
        await db(services.edit_message)(ana, message.pk, "hello")
        got = await frame(bob_socket)
        assert got["type"] == "message.updated" and got["message"]["text"] == "hello"
        assert got["message"]["edited_at"]
        await db(services.react)(ana, message.pk, "😂")
        got = await frame(bob_socket)
        assert got["message"]["reaction_counts"] == {"😂": 1} and got["message"]["my_reaction"] is None
        await db(services.react)(bob, message.pk, "❤️")
        got = await frame(bob_socket)
        assert got["message"]["reaction_counts"] == {"❤️": 1, "😂": 1} and got["message"]["my_reaction"] == "❤️"
        await db(services.unsend_message)(ana, message.pk)
        got = await frame(bob_socket)
        assert (
            got["message"]["unsent"] is True
            and got["message"]["text"] == ""
            and got["message"]["reactions"] == []
        )
        await bob_socket.disconnect()

    run(scenario)


def test_read_receipts_and_typing(pair):
    ana, bob, ana_token, bob_token = pair

    async def scenario():
        message = await db(services.start_conversation)(ana, bob, text="read me")
        cid = str(message.conversation_id)
        ana_socket, bob_socket = await opened(ana_token), await opened(bob_token)
        await db(services.mark_read)(bob, message.conversation_id)
        got = await frame(ana_socket)
        assert got == {
            "type": "read",
            "conversation_id": cid,
            "account_id": str(bob.pk),
            "message_id": str(message.pk),
            "seq": 2,  # ana's second change: her message, then bob's receipt
        }
        # His other devices clear their unread marks (his own numbering).
        assert await frame(bob_socket) == {**got, "seq": 2}
        await bob_socket.send_to(text_data=json.dumps({"type": "typing", "conversation_id": cid}))
        assert await frame(ana_socket) == {
            "type": "typing",
            "conversation_id": cid,
            "account_id": str(bob.pk),
        }
        # The typist is not told about their own typing; nor is anyone outside the conversation.
        await quiet(bob_socket)
        await bob_socket.send_to(text_data=json.dumps({"type": "typing", "conversation_id": "123"}))
        assert (await frame(bob_socket))["code"] == "not_found"
        await ana_socket.disconnect()
        await bob_socket.disconnect()

    run(scenario)


def test_a_removed_member_hears_nothing_more(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        group = await db(services.create_group)(ana, "g", [bob.pk])
        bob_socket = await opened(bob_token)
        await db(services.remove_member)(ana, group.pk, bob.pk)
        frames = [await frame(bob_socket), await frame(bob_socket)]
        assert {f["type"] for f in frames} == {"message.new", "conversation.changed"}
        await db(services.send_message)(ana, group.pk, text="secret")
        await quiet(bob_socket)
        await bob_socket.disconnect()

    run(scenario)


def test_bad_frames_get_an_error_frame(pair):
    _, _, _, bob_token = pair

    async def scenario():
        connection = await opened(bob_token)
        for text, code in (
            ("{nope", "invalid_json"),
            ('{"type": "dance"}', "unknown_frame"),
            ('["ping"]', "unknown_frame"),
            ('{"type": "catch_up", "after": "x"}', "invalid_cursor"),
        ):
            await connection.send_to(text_data=text)
            assert (await frame(connection))["code"] == code
        await connection.disconnect()

    run(scenario)
