"""Django's ASGI handler with one hop to a worker thread per request, for routes whose middleware and views
are all synchronous and answer at once (the federation inboxes: :mod:`spool.asgi`).

Django's own handler hops from the event loop to a thread three times per request (``request_started``,
the middleware and view, ``request_finished``), each to a thread made for that request (asgiref's
``ThreadSensitiveContext``), and races the view against a client disconnect it cannot cancel anyway. For
a short POST that costs more CPU than the view itself (an inbox accept, in process: 2.0 ms through
Django's handler, 0.85 ms through its WSGI handler; ``python -m bench.inbox_accept``). Here the request is
read, then everything from ``request_started`` to ``request_finished`` runs in one call on the event
loop's thread pool, as a WSGI server would run it: the same middleware, view and signals, each request on
one thread throughout (so Django's per-thread database connections are opened, used and closed by the
same thread), and several requests at once on several threads.

A route whose POSTs always reach one view can also skip what cannot change their answer
(:class:`OneHopASGIHandler`'s ``view`` and ``skip``): the URL resolving (the router already matched the
path) and the middleware that lets such a POST through untouched. Every other method goes the whole way.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.urls import ResolverMatch, set_script_prefix
from django.utils.module_loading import import_string


class OneHopASGIHandler(ASGIHandler):
    """``body_limit()``: the most bytes of a body the routes take. At most one byte more is read (and
    held in memory), so the view sees the body is too large and refuses it, while the rest is never
    read.

    With ``view``, a POST is answered by ``view`` (with the router's ``url_route`` arguments) through the
    middleware of ``settings.MIDDLEWARE`` less those in ``skip``, without resolving its path: the
    middleware still raises, refuses and converts exceptions as in the whole chain (an unknown host, a
    busy database), and the view's exceptions become responses as Django's handler makes them."""

    def __init__(
        self,
        body_limit: Callable[[], int],
        view: Callable[..., Any] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)  # the synchronous chain, called in the worker thread
        self.body_limit = body_limit
        self.post = (
            _Direct(view, [path for path in settings.MIDDLEWARE if path not in skip]) if view else None
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Without the ThreadSensitiveContext Django's handler opens per request: nothing here calls
        # sync_to_async.
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        chunks, size, keep = [], 0, self.body_limit() + 1
        while size < keep:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # gone before the request was complete: nothing to answer
            chunk = message.get("body", b"")[: keep - size]
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(None, self._respond, scope, io.BytesIO(b"".join(chunks)))
        await self.send_response(response, send)

    def _respond(self, scope: dict[str, Any], body: io.BytesIO) -> HttpResponseBase:
        """The whole request in this thread: the response, with its content read and closed
        (``request_finished``)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body)
        if request is not None:
            handler = self.post if self.post is not None and request.method == "POST" else self
            response = handler.get_response(request)
        assert response is not None and not response.streaming, "one-hop routes answer with content"
        response.close()
        return response


class _Direct(BaseHandler):
    """Django's request handling with a chain of ``middleware`` (synchronous) around ``view``, which
    answers every request it is given (no URL resolving)."""

    def __init__(self, view: Callable[..., Any], middleware: list[str]) -> None:
        super().__init__()
        self.view = view
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]  # not in django-stubs
        for path in reversed(middleware):  # as BaseHandler.load_middleware, for synchronous middleware
            factory = import_string(path)
            if not getattr(factory, "sync_capable", True):
                raise ImproperlyConfigured(f"{path} cannot run synchronously")
            try:
                instance = factory(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        route = request.scope.get("url_route", {})  # type: ignore[attr-defined]  # an ASGIRequest
        match = ResolverMatch(self.view, route.get("args", ()), route.get("kwargs", {}))
        request.resolver_match = match
        return match
