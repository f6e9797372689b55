"""Mastodon's streaming API: ``GET /api/v1/streaming/health``, the WebSocket at ``/api/v1/streaming`` and
the server-sent-event endpoints (``/api/v1/streaming/user``, ``/public/local``, ``/hashtag?tag=…``, …).

WebSocket: the handshake carries a token (``access_token``, ``Authorization: Bearer`` or
``Sec-WebSocket-Protocol``) and may name a first stream (``?stream=hashtag&tag=cats``); the client then sends
``{"type": "subscribe" | "unsubscribe", "stream": …, "tag" | "list": …}``. Each event is a text frame
``{"stream": [...], "event": "update", "payload": "<JSON text>"}``; a refused subscription gets
``{"error": …, "status": …}``. Server-sent events carry ``event: <name>`` / ``data: <payload>`` and a
``:thump`` comment every 15 seconds.

Both share :class:`StreamingConnection`: the subscriptions of one connection, the groups they join, and
rendering each layer message for this connection's viewer (see :mod:`spool.api.mastodon.streams`).
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from ninja import Router

from spool.api.mastodon import streams
from spool.api.mastodon.streams import Listener, StreamError, Subscription
from spool.realtime import listeners
from spool.realtime.auth import query_params, token_account, token_from_scope

router = Router(tags=["streaming"])
HEARTBEAT_SECONDS = 15.0


@router.get("/v1/streaming/health", include_in_schema=False)
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain; charset=utf-8")


class StreamingConnection(ABC):
    """The part of a streaming consumer that does not depend on the transport; each transport (WebSocket
    frames, server-sent events) says how an event is written with :meth:`emit`."""

    channel_layer: Any
    channel_name: str
    listener: Listener

    def init_streams(self) -> None:
        self.subscriptions: dict[tuple[str, ...], Subscription] = {}
        self.keeping: asyncio.Task[None] | None = None

    @abstractmethod
    async def emit(self, stream: tuple[str, ...], event: str, payload: str) -> None:
        """Send one event of ``stream`` to this connection's client."""

    async def authenticate(self, scope: dict[str, Any]) -> Listener | None:
        """The listener of this connection, or ``None`` when a token was offered but is not valid."""
        bearer = token_from_scope(scope)
        if bearer is None:
            return Listener(None)
        token = await database_sync_to_async(token_account)(bearer.raw)
        return Listener(token) if token is not None else None

    async def open_stream(self, name: Any, params: dict[str, Any]) -> Subscription:
        subscription = await database_sync_to_async(streams.resolve)(name, params, self.listener)
        if subscription.stream not in self.subscriptions:
            joined = self._groups()
            for group in subscription.groups:
                if group not in joined:
                    await listeners.join(self.channel_layer, group, self.channel_name)
            self.subscriptions[subscription.stream] = subscription
            if self.keeping is None and listeners.registry(self.channel_layer) is not None:
                # The layer's record of who listens to a home feed must outlive no connection: refreshed
                # while this one is open (every connection's home group, whichever stream joined it).
                self.keeping = asyncio.create_task(
                    listeners.keep_while_connected(self.channel_layer, self.channel_name, self._groups)
                )
        return subscription

    async def close_stream(self, name: Any, params: dict[str, Any]) -> None:
        """Stop ``name`` (with the given ``tag``/``list``, or all of that name without one)."""
        detail = params.get("tag") or params.get("list")
        for key in [k for k in self.subscriptions if k[0] == name and (detail is None or k[1:] == (detail,))]:
            subscription = self.subscriptions.pop(key)
            left = self._groups()
            for group in subscription.groups:
                if group not in left:
                    await listeners.leave(self.channel_layer, group, self.channel_name)

    async def close_all(self) -> None:
        await listeners.stop(self.keeping)
        self.keeping = None
        for group in self._groups():
            await listeners.leave(self.channel_layer, group, self.channel_name)
        self.subscriptions = {}

    def _groups(self) -> set[str]:
        return {group for s in self.subscriptions.values() for group in s.groups}

    def _listening(self, message: dict[str, Any]) -> list[tuple[str, ...]]:
        group = message.get("group")
        return [key for key, s in self.subscriptions.items() if group in s.groups]

    async def _emit_all(self, message: dict[str, Any], render: Callable[[], Any]) -> None:
        """Render once for this viewer (only if a subscription listens to the message's group) and emit to
        each such subscription."""
        keys = self._listening(message)
        if not keys:
            return
        rendered = await database_sync_to_async(render)()
        if rendered is None:
            return
        event, payload = rendered
        for key in keys:
            await self.emit(key, event, payload)

    # Channel-layer message handlers (``type`` ``realtime.event`` → ``realtime_event``).

    async def realtime_event(self, message: dict[str, Any]) -> None:
        for key in self._listening(message):
            await self.emit(key, message["event"], streams.payload_text(message["payload"]))

    async def realtime_status(self, message: dict[str, Any]) -> None:
        await self._emit_all(message, lambda: streams.status_event(self.listener.account, message))

    async def realtime_conversation(self, message: dict[str, Any]) -> None:
        await self._emit_all(message, lambda: streams.conversation_event(self.listener.account, message))

    async def realtime_notification(self, message: dict[str, Any]) -> None:
        await self._emit_all(message, lambda: streams.notification_event(self.listener.account, message))


class StreamingSocket(StreamingConnection, AsyncWebsocketConsumer):
    """``wss://…/api/v1/streaming``: many streams on one socket."""

    async def connect(self) -> None:
        self.init_streams()
        listener = await self.authenticate(self.scope)
        if listener is None or listener.token is None:
            await self.deny(401, "Invalid access token" if listener is None else "Missing access token")
            return
        self.listener = listener
        params = query_params(self.scope)
        if params.get("stream"):
            try:
                await self.open_stream(params["stream"], params)
            except StreamError as error:
                await self.deny(error.status, error.message)
                return
        bearer = token_from_scope(self.scope)
        await self.accept(subprotocol=bearer.subprotocol if bearer else None)

    async def deny(self, status: int, message: str) -> None:
        """Refuse the handshake: an HTTP error with Mastodon's body where the server can send one, else a
        close before accepting (code ``4000 + status``, e.g. 4401)."""
        await self.close_all()
        if "websocket.http.response" in self.scope.get("extensions", {}):
            body = orjson.dumps({"error": message})
            await self.base_send(
                {
                    "type": "websocket.http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await self.base_send({"type": "websocket.http.response.body", "body": body})
        else:
            await self.close(code=4000 + status)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "subscriptions"):
            await self.close_all()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = orjson.loads(text_data or bytes_data or b"")
        except orjson.JSONDecodeError:
            await self.send_error(400, "Could not parse the message as JSON")
            return
        if not isinstance(message, dict) or message.get("type") not in ("subscribe", "unsubscribe"):
            await self.send_error(400, "Unknown message type: use subscribe or unsubscribe")
            return
        params = {key: message[key] for key in ("tag", "list") if key in message}
        if message["type"] == "unsubscribe":
            await self.close_stream(message.get("stream"), params)
            return
        try:
            await self.open_stream(message.get("stream"), params)
        except StreamError as error:
            await self.send_error(error.status, error.message)

    async def send_error(self, status: int, message: str) -> None:
        await self.send(text_data=orjson.dumps({"error": message, "status": status}).decode())

    async def emit(self, stream: tuple[str, ...], event: str, payload: str) -> None:
        frame = {"stream": list(stream), "event": event, "payload": payload}
        await self.send(text_data=orjson.dumps(frame).decode())


class StreamingEvents(StreamingConnection, AsyncHttpConsumer):
    """``GET /api/v1/streaming/<stream>``: one stream as server-sent events."""

    stream = ""  # set per route through ``as_asgi(stream=...)``

    def __init__(self, stream: str = "") -> None:
        super().__init__()
        self.stream = stream

    async def http_request(self, message: dict[str, Any]) -> None:
        if message.get("more_body"):
            return  # a GET carries no body worth reading
        if not await self.start():
            raise StopConsumer()

    async def start(self) -> bool:
        """Open the stream and send the headers; ``False`` once an error response was sent instead."""
        self.init_streams()
        listener = await self.authenticate(self.scope)
        if listener is None:
            return await self.refuse(StreamError(401, "Invalid access token"))
        self.listener = listener
        params = query_params(self.scope)
        name = streams.stream_from_path(self.stream or params.get("stream", ""), params)
        try:
            await self.open_stream(name, params)
        except StreamError as error:
            return await self.refuse(error)
        await self.send_headers(
            headers=[
                (b"content-type", b"text/event-stream"),
                (b"cache-control", b"no-store"),
                (b"x-accel-buffering", b"no"),
            ]
        )
        await self.send_body(b":)\n\n", more_body=True)
        self.heartbeat = asyncio.create_task(self.beat())
        return True

    async def refuse(self, error: StreamError) -> bool:
        await self.send_response(
            error.status,
            orjson.dumps({"error": error.message}),
            headers=[(b"content-type", b"application/json")],
        )
        return False

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.send_body(b":thump\n\n", more_body=True)

    async def emit(self, stream: tuple[str, ...], event: str, payload: str) -> None:
        await self.send_body(f"event: {event}\ndata: {payload}\n\n".encode(), more_body=True)

    async def disconnect(self) -> None:
        heartbeat = getattr(self, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if hasattr(self, "subscriptions"):
            await self.close_all()


SSE_PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": "list",
    "direct": "direct",
}

websocket_urlpatterns = [path("api/v1/streaming", StreamingSocket.as_asgi())]
http_urlpatterns = [
    *(path(f"api/v1/streaming/{p}", StreamingEvents.as_asgi(stream=s)) for p, s in SSE_PATHS.items()),
    re_path(r"^api/v1/streaming/?$", StreamingEvents.as_asgi()),
]
