"""Direct messages live: one WebSocket per signed-in client at ``/ws/messages``.

Who: the web app's session (same-origin browser) or an OAuth token (``access_token`` query parameter,
``Authorization: Bearer`` or the subprotocol) with a ``read:statuses`` grant. Anyone else is refused with
close code 4401.

Server → client frames (JSON objects with a ``type``):

- ``message.new`` / ``message.updated`` ``{"message": {...}}``: a new message, or one edited, unsent or
  reacted to (the same shape as the JSON API, as the receiving person sees it);
- ``read`` ``{"conversation_id", "account_id", "message_id"}``: someone's read position moved (receipts);
- ``typing`` ``{"conversation_id", "account_id"}``; ``conversation.changed`` ``{"conversation_id"}``
  (members, name, requests accepted);
- ``caught_up`` ``{"last_message_id"}`` after a catch-up; ``error`` ``{"code", "error"}`` for a bad frame.

Client → server: ``{"type": "catch_up", "after": "<id>"}`` (also ``?after=<id>`` on connect),
``{"type": "typing", "conversation_id": "<id>"}``, ``{"type": "ping"}`` (answered ``pong``; a client pings
every minute or so, which also renews the connection's group membership before the layer's one-day expiry).

**No loss, no duplicate.** Events are pushed only after commit (:func:`connect` subscribes after commit). A
connection joins its person's group *before* it reads the catch-up from the database, so a message committed
meanwhile is in the catch-up, in the live stream, or in both — and the connection remembers the IDs it has
delivered as new and sends each once. Live messages are handled only after the catch-up finishes (a consumer
handles one message at a time), so they always arrive after the catch-up. A client keeps the newest
message ID it has seen and passes it as ``after`` when it reconnects.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import path

from spool.core.events import subscribe
from spool.core.pagination import parse_cursor
from spool.identities.models import Account
from spool.messaging import reads
from spool.messaging.access import access_membership
from spool.messaging.events import (
    ConversationRead,
    MembershipChanged,
    MessageEdited,
    MessageReacted,
    MessageSent,
    MessageUnsent,
)
from spool.messaging.services._common import audience
from spool.realtime.auth import query_params, session_account, token_account, token_from_scope, token_grants
from spool.realtime.groups import account_group
from spool.realtime.push import push_many

REMEMBERED = 5000  # message IDs a connection remembers having delivered
# Channel layers drop group memberships after a day (``group_expiry``); a connection that pings renews its
# membership well before that.
REJOIN_EVERY = 3600.0  # seconds
TYPING_EVERY = 2.0  # seconds: at most one typing signal per conversation per connection


# --- Publishing (after commit) ---------------------------------------------------------------------------


def _push(audience_ids: tuple[int, ...], frame: dict[str, Any]) -> None:
    push_many((account_group(i) for i in audience_ids), {"type": "dm.event", **frame})


def _push_message(kind: str, message_id: int) -> None:
    """Render the message once for all its readers (JSON-safe, so any channel layer carries it); each
    connection adds only its own reaction. A message sharing a post is read by each connection instead,
    since whether the post shows depends on the viewer."""
    card, readers = reads.message_for_push(message_id)
    frame: dict[str, Any] = {
        "event": kind,
        "message_id": message_id,
        "muted": [str(i) for i in readers.muted],
    }
    if card is not None:
        frame["card"] = orjson.loads(orjson.dumps(card.as_dict()))
    _push(readers.ids, frame)


def on_sent(event: MessageSent) -> None:
    _push_message("message.new", event.message_id)


def on_changed(event: MessageEdited | MessageUnsent | MessageReacted) -> None:
    _push_message("message.updated", event.message_id)


def on_read(event: ConversationRead) -> None:
    _push(
        event.audience,
        {
            "event": "read",
            "conversation_id": str(event.conversation_id),
            "account_id": str(event.account_id),
            "message_id": str(event.message_id),
        },
    )


def on_membership(event: MembershipChanged) -> None:
    _push(event.audience, {"event": "conversation.changed", "conversation_id": str(event.conversation_id)})


def connect() -> None:
    subscribe(MessageSent, on_sent, after_commit=True)
    subscribe(MessageEdited, on_changed, after_commit=True)
    subscribe(MessageUnsent, on_changed, after_commit=True)
    subscribe(MessageReacted, on_changed, after_commit=True)
    subscribe(ConversationRead, on_read, after_commit=True)
    subscribe(MembershipChanged, on_membership, after_commit=True)


# --- The consumer ----------------------------------------------------------------------------------------


def _who(scope: dict[str, Any]) -> tuple[Account | None, str | None]:
    bearer = token_from_scope(scope)
    if bearer is not None:
        token = token_account(bearer.raw)
        if token is None or token.account is None or not token_grants(token, "read:statuses"):
            return None, None
        return token.account, bearer.subprotocol
    return session_account(scope), None


def _typing_audience(account: Account, conversation_id: Any) -> tuple[int, ...]:
    membership = access_membership(account, conversation_id)
    if not membership.can_send:
        return ()
    return tuple(i for i in audience(membership.conversation_id) if i != account.pk)


class MessagesSocket(AsyncJsonWebsocketConsumer):
    account: Account | None = None

    async def connect(self) -> None:
        account, subprotocol = await database_sync_to_async(_who)(self.scope)
        if account is None:
            await self.close(code=4401)
            return
        self.account = account
        self.delivered: OrderedDict[int, None] = OrderedDict()
        self.typing_sent: dict[str, float] = {}
        await self.channel_layer.group_add(account_group(account.pk), self.channel_name)
        self.joined_at = time.monotonic()
        await self.accept(subprotocol)
        after = query_params(self.scope).get("after")
        if after:
            await self._catch_up(after)

    async def disconnect(self, code: int) -> None:
        if self.account is not None:
            await self.channel_layer.group_discard(account_group(self.account.pk), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            if time.monotonic() - self.joined_at > REJOIN_EVERY:
                assert self.account is not None
                await self.channel_layer.group_add(account_group(self.account.pk), self.channel_name)
                self.joined_at = time.monotonic()
            await self.send_json({"type": "pong"})
        elif kind == "catch_up":
            await self._catch_up(content.get("after"))
        elif kind == "typing":
            await self._typing(content.get("conversation_id"))
        else:
            await self._error("unknown_frame", "Send a frame of type catch_up, typing or ping.")

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            await super().receive(text_data, bytes_data, **kwargs)
        except ValueError:  # not JSON
            await self._error("invalid_json", "Frames are JSON objects.")

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "error": message})

    # Catch-up ------------------------------------------------------------------------------------------

    async def _catch_up(self, after: Any) -> None:
        try:
            cursor = parse_cursor(str(after) if after is not None else None) or 0
        except Exception:
            await self._error("invalid_cursor", "after must be a message ID.")
            return
        last = cursor
        while True:
            page = await database_sync_to_async(reads.catch_up)(self.account, cursor)
            for card in page.items:
                await self._send_dict("message.new", card.as_dict())
                last = max(last, card.id)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        await self.send_json({"type": "caught_up", "last_message_id": str(last)})

    async def _send_dict(self, kind: str, card: dict[str, Any], *, muted: bool = False) -> None:
        """Send a message card (``as_dict()`` of anyone's view) as this connection's person sees it: with
        their own reaction, and for a new message ``notify`` (false for their own messages and in muted
        conversations: show it, but no sound or badge). A new message is sent once per connection, however
        often it arrives."""
        assert self.account is not None
        if kind == "message.new":
            message_id = int(card["id"])
            if message_id in self.delivered:
                return
            self.delivered[message_id] = None
            if len(self.delivered) > REMEMBERED:
                self.delivered.popitem(last=False)
        me = str(self.account.pk)
        mine = next((r["emoji"] for r in card["reactions"] if r["account_id"] == me), None)
        frame: dict[str, Any] = {"type": kind, "message": {**card, "my_reaction": mine}}
        if kind == "message.new":
            sender = card.get("sender") or {}
            frame["notify"] = not muted and card["kind"] == "text" and sender.get("id") != me
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # orjson writes the datetimes of message cards (ISO 8601).
        return orjson.dumps(content).decode()

    # Typing --------------------------------------------------------------------------------------------

    async def _typing(self, conversation_id: Any) -> None:
        key = str(conversation_id)
        now = time.monotonic()
        if now - self.typing_sent.get(key, 0.0) < TYPING_EVERY:
            return
        try:
            others = await database_sync_to_async(_typing_audience)(self.account, conversation_id)
        except Exception:
            await self._error("not_found", "No such conversation.")
            return
        self.typing_sent[key] = now
        assert self.account is not None
        for other in others:
            await self.channel_layer.group_send(
                account_group(other),
                {
                    "type": "dm.event",
                    "event": "typing",
                    "conversation_id": key,
                    "account_id": str(self.account.pk),
                },
            )

    # Channel-layer handlers ----------------------------------------------------------------------------

    async def dm_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event in ("message.new", "message.updated"):
            assert self.account is not None
            muted = str(self.account.pk) in message.get("muted", ())
            if "card" in message:
                await self._send_dict(event, message["card"], muted=muted)
                return
            cards = await database_sync_to_async(reads.messages_by_ids)(self.account, [message["message_id"]])
            for card in cards:
                await self._send_dict(event, card.as_dict(), muted=muted)
            return
        frame = {key: value for key, value in message.items() if key not in ("type", "event", "group")}
        await self.send_json({"type": event, **frame})

    async def realtime_event(self, message: dict[str, Any]) -> None:
        """Other events for this person's devices (``push_to_account``), passed on as they are."""
        await self.send_json({"type": message["event"], "payload": message["payload"]})


websocket_urlpatterns = [path("ws/messages", MessagesSocket.as_asgi())]
