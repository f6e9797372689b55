"""Direct messages live: one WebSocket per signed-in client at ``/ws/messages``.

Who: the web app's session (same-origin browser) or an OAuth token (``access_token`` query parameter,
``Authorization: Bearer`` or the subprotocol) with a ``read:statuses`` grant. Anyone else is refused with
close code 4401.

Server → client frames (JSON objects with a ``type``):

- ``message.new`` / ``message.updated`` ``{"message": {...}, "seq"}``: a new message, or one edited, unsent
  or reacted to (the same shape as the JSON API, as the receiving person sees it now);
- ``read`` ``{"conversation_id", "account_id", "message_id", "seq"}``: someone's read position moved
  (receipts, also to one's own other devices);
- ``conversation.changed`` ``{"conversation_id", "seq"}`` (members, name, requests accepted);
- ``typing`` ``{"conversation_id", "account_id"}`` (not numbered: it is not caught up);
- ``caught_up`` ``{"seq"}`` once connected (after the catch-up when one was asked for); ``resync``
  ``{"seq"}`` when the changes after the client's number are no longer all kept: reload, then go on from
  ``seq``; ``error`` ``{"code", "error"}`` for a bad frame.

Client → server: ``{"type": "catch_up", "since": <seq>}`` (also ``?since=<seq>`` on connect),
``{"type": "typing", "conversation_id": "<id>"}``, ``{"type": "ping"}`` (answered ``pong``; a client pings
every minute or so, which also renews the connection's group membership before the layer's one-day expiry).

**No loss, no duplicate, in order.** Every change a person must hear of is numbered in that person's change
sequence inside the transaction that makes it (:mod:`spool.messaging.changes`): the numbers are gapless and
in commit order. Frames carry the number (``seq``); a client keeps the highest it has seen and passes it as
``since`` when it reconnects. The connection joins its person's group *before* it reads the catch-up, so a
change committed meanwhile is in the catch-up, in the live stream, or both; it then sends only the change
numbered one more than the last it sent: a live frame at or below that number was already sent (dropped),
and one above it means an earlier change is still on its way, so the connection reads the missing ones from
the log instead (the later ones then arrive again and are dropped). A consumer handles one message at a
time, so nothing overtakes the catch-up.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import path

from spool.core.events import subscribe
from spool.identities.models import Account
from spool.messaging import reads
from spool.messaging.access import access_membership
from spool.messaging.cards import MessageCard
from spool.messaging.changes import Seqs, current_seq
from spool.messaging.events import (
    ConversationRead,
    MembershipChanged,
    MessageEdited,
    MessageReacted,
    MessageSent,
    MessageUnsent,
)
from spool.messaging.models import Change
from spool.messaging.services._common import audience
from spool.realtime.auth import query_params, session_account, token_account, token_from_scope, token_grants
from spool.realtime.groups import account_group
from spool.realtime.push import push_many

# Channel layers drop group memberships after a day (``group_expiry``); a connection that pings renews its
# membership well before that.
REJOIN_EVERY = 3600.0  # seconds
TYPING_EVERY = 2.0  # seconds: at most one typing signal per conversation per connection


# --- Publishing (after commit) ---------------------------------------------------------------------------


def _push(audience_ids: Iterable[int], frame: dict[str, Any]) -> None:
    push_many((account_group(i) for i in audience_ids), {"type": "dm.event", **frame})


def _numbers(seqs: Seqs, only: Iterable[int] | None = None) -> dict[str, int]:
    """The change numbers as the frame carries them (JSON keys are strings)."""
    keep = None if only is None else set(only)
    return {str(account): seq for account, seq in seqs if keep is None or account in keep}


def _push_message(kind: str, message_id: int, seqs: Seqs) -> None:
    """Render the message once for all its readers (JSON-safe, so any channel layer carries it); each
    connection adds only its own reaction. A message sharing a post is read by each connection instead,
    since whether the post shows depends on the viewer. Only the people the change was numbered for, who
    still see the message, are told."""
    card, readers = reads.message_for_push(message_id)
    numbers = _numbers(seqs, readers.ids)
    frame: dict[str, Any] = {
        "event": kind,
        "message_id": message_id,
        "muted": [str(i) for i in readers.muted],
        "seqs": numbers,
    }
    if card is not None:
        frame["card"] = orjson.loads(orjson.dumps(card.as_dict()))
    _push(map(int, numbers), frame)


def on_sent(event: MessageSent) -> None:
    _push_message("message.new", event.message_id, event.seqs)


def on_changed(event: MessageEdited | MessageUnsent | MessageReacted) -> None:
    _push_message("message.updated", event.message_id, event.seqs)


def on_read(event: ConversationRead) -> None:
    _push(
        event.audience,
        {
            "event": "read",
            "conversation_id": str(event.conversation_id),
            "account_id": str(event.account_id),
            "message_id": str(event.message_id),
            "seqs": _numbers(event.seqs),
        },
    )


def on_membership(event: MembershipChanged) -> None:
    _push(
        event.audience,
        {
            "event": "conversation.changed",
            "conversation_id": str(event.conversation_id),
            "seqs": _numbers(event.seqs),
        },
    )


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
    seq = 0  # the number of the last change sent on this connection

    async def connect(self) -> None:
        account, subprotocol = await database_sync_to_async(_who)(self.scope)
        if account is None:
            await self.close(code=4401)
            return
        self.account = account
        self.typing_sent: dict[str, float] = {}
        await self.channel_layer.group_add(account_group(account.pk), self.channel_name)
        self.joined_at = time.monotonic()
        await self.accept(subprotocol)
        since = query_params(self.scope).get("since")
        if since:
            await self._catch_up(since)
        else:  # from now on
            self.seq = await database_sync_to_async(current_seq)(account.pk)
            await self.send_json({"type": "caught_up", "seq": self.seq})

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
            await self._catch_up(content.get("since"))
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

    async def _catch_up(self, since: Any, *, announce: bool = True) -> None:
        """Send every change numbered after ``since`` (and after what this connection already sent) from
        the log, in order, then (``announce``) ``caught_up``."""
        try:
            cursor = int(since)
            if cursor < 0 or cursor >= 1 << 63:
                raise ValueError
        except (TypeError, ValueError):
            await self._error("invalid_cursor", "since must be a change number (the seq of a frame).")
            return
        cursor = max(cursor, self.seq)  # a connection sends each change once
        while True:
            batch = await database_sync_to_async(reads.changes_since)(self.account, cursor)
            if batch.resync:
                self.seq = batch.current
                await self.send_json({"type": "resync", "seq": batch.current})
                return
            for change, card in batch.items:
                self.seq = change.seq
                await self._send_change(change, card)
            cursor = self.seq if batch.items else cursor
            if not batch.more:
                break
        self.seq = max(self.seq, cursor)
        if announce:
            await self.send_json({"type": "caught_up", "seq": self.seq})

    async def _send_change(self, change: Change, card: MessageCard | None) -> None:
        if change.kind in (Change.Kind.NEW, Change.Kind.UPDATED):
            if card is not None:  # gone, or no longer visible to this person: only the number moves
                kind = "message.new" if change.kind == Change.Kind.NEW else "message.updated"
                await self._send_dict(kind, card.as_dict(), seq=change.seq)
        elif change.kind == Change.Kind.READ:
            await self.send_json(
                {
                    "type": "read",
                    "conversation_id": str(change.conversation_id),
                    "account_id": str(change.actor_id),
                    "message_id": str(change.message_id),
                    "seq": change.seq,
                }
            )
        else:
            await self.send_json(
                {
                    "type": "conversation.changed",
                    "conversation_id": str(change.conversation_id),
                    "seq": change.seq,
                }
            )

    async def _send_dict(self, kind: str, card: dict[str, Any], *, seq: int, muted: bool = False) -> None:
        """Send a message card (``as_dict()`` of anyone's view) as this connection's person sees it: with
        their own reaction, and for a new message ``notify`` (false for their own messages and in muted
        conversations: show it, but no sound or badge)."""
        assert self.account is not None
        me = str(self.account.pk)
        mine = next((r["emoji"] for r in card["reactions"] if r["account_id"] == me), None)
        frame: dict[str, Any] = {"type": kind, "message": {**card, "my_reaction": mine}, "seq": seq}
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
        assert self.account is not None
        seq: int | None = None
        if "seqs" in message:  # a numbered change: send it in order, once
            seq = message["seqs"].get(str(self.account.pk))
            if seq is None or seq <= self.seq:
                return
            if seq > self.seq + 1:  # an earlier change is still on its way: read them from the log
                await self._catch_up(self.seq, announce=False)
                return
            self.seq = seq
        if event in ("message.new", "message.updated"):
            assert seq is not None
            muted = str(self.account.pk) in message.get("muted", ())
            if "card" in message:
                await self._send_dict(event, message["card"], seq=seq, muted=muted)
                return
            cards = await database_sync_to_async(reads.messages_by_ids)(self.account, [message["message_id"]])
            for card in cards:
                await self._send_dict(event, card.as_dict(), seq=seq, muted=muted)
            return
        frame = {
            key: value for key, value in message.items() if key not in ("type", "event", "group", "seqs")
        }
        if seq is not None:
            frame["seq"] = seq
        await self.send_json({"type": event, **frame})

    async def realtime_event(self, message: dict[str, Any]) -> None:
        """Other events for this person's devices (``push_to_account``), passed on as they are."""
        await self.send_json({"type": message["event"], "payload": message["payload"]})


websocket_urlpatterns = [path("ws/messages", MessagesSocket.as_asgi())]
