"""Django's ASGI handler with one hop to a worker thread per request, for every plain HTTP request
(:mod:`spool.asgi`; the streaming API's server-sent events and the WebSockets keep their consumers).

Django's own handler hops from the event loop to a thread three times per request (``request_started``,
the middleware and view, ``request_finished``), each to a thread made for that request (asgiref's
``ThreadSensitiveContext``), with the synchronous middleware wrapped one by one for an asynchronous chain,
and races the view against a client disconnect it cannot cancel anyway. Spool's middleware and views are
all synchronous, so that machinery is pure cost: about 1 ms of CPU per request (an inbox accept, in
process: 2.0 ms through Django's handler, 0.85 ms through its WSGI handler; ``python -m bench.inbox_accept``).

Here the request is read on the event loop, then everything from ``request_started`` to the response runs
in one call on a pool of worker threads (:data:`WORKERS`), as a WSGI server would run it: Django's
synchronous middleware chain and views, the same signals, each request on one thread throughout (so
Django's per-thread database connections are opened, used and given back by the same thread), several
requests at once on several threads.

- **Request bodies** as Django reads them: held in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, in a
  temporary file beyond (``DATA_UPLOAD_MAX_MEMORY_SIZE`` and the upload handlers apply when the view reads
  it). A route given ``body_limit`` (the inboxes) reads at most one byte past it, so its view sees the body
  is too large and refuses it, while the rest is never read.
- **Responses with content** are closed (``request_finished``) in the worker thread, then sent.
- **Streaming responses** (``FileResponse``, ``StreamingHttpResponse``, synchronous or asynchronous
  iterators): the worker thread gives back its database connections as ``request_finished`` would, then
  the content is read in a thread of the request's own (``ThreadSensitiveContext``: a slow client holds no
  worker thread) part by part as it is sent (Django's handler reads a synchronous iterator whole into
  memory first), raced against a client disconnect (which stops reading it), and the response is closed
  there (``request_finished``).
- **Asynchronous views** would run as Django runs them in a synchronous chain (``async_to_sync``).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import IO, Any

from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import ResolverMatch, get_resolver, set_script_prefix


class Workers(Executor):
    """At most ``size`` threads running what is submitted. A submission wakes the thread that went idle
    last (its stack and caches are the warmest) and only that one, starts a thread when none is idle, and
    waits for the first thread to finish past ``size`` at once. ``ThreadPoolExecutor`` hands work over
    through one queue that every idle thread waits on, and woke two threads per request (one went back to
    sleep): about 10 µs of CPU per request more, a wake-up being a system call and a switch of thread.
    The threads are daemons: the server finishes its requests before it stops, and a request still running
    at exit does not hold the process."""

    def __init__(self, size: int, name: str) -> None:
        self.size, self.name = size, name
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []  # a stack: the last to go idle is woken first
        self._waiting: deque[_Job] = deque()
        self._started = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._give((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` on a thread of the pool, for a caller that learns of its end from ``fn`` itself:
        without the :class:`~concurrent.futures.Future` ``submit`` makes (its condition variable, its
        state changes under a lock). ``fn`` must not raise."""
        self._give((None, fn, (), {}))

    def _give(self, job: _Job) -> None:
        with self._lock:
            if self._idle:
                worker = self._idle.pop()
            elif self._started < self.size:
                self._started += 1
                worker = _Worker(self, f"{self.name}_{self._started}")
            else:
                self._waiting.append(job)
                return
        worker.give(job)

    def _next(self, worker: _Worker) -> _Job | None:
        """A waiting submission for ``worker``, which is done with its last; else it goes idle."""
        with self._lock:
            if self._waiting:
                return self._waiting.popleft()
            self._idle.append(worker)
            return None


_Job = tuple["Future[Any] | None", Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class _Worker:
    __slots__ = ("_go", "_job", "pool")

    def __init__(self, pool: Workers, name: str) -> None:
        self.pool = pool
        self._job: _Job | None = None
        self._go = threading.Lock()  # released once per job given; held while the thread waits for one
        self._go.acquire()
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def give(self, job: _Job) -> None:
        self._job = job
        self._go.release()

    def _run(self) -> None:
        while True:
            self._go.acquire()
            job, self._job = self._job, None
            while job is not None:
                future, fn, args, kwargs = job
                if future is None:
                    fn()
                elif future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as exc:  # as ThreadPoolExecutor: the caller gets it
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
                del future, fn, args, kwargs, job  # nothing of a request kept while idle
                job = self.pool._next(self)


# The worker threads of every one-hop route: Django's handler starts a thread per request, so a view that
# waits (a remote fetch, a busy database) never held up the others; asyncio's default pool has only
# cpu_count() + 4 threads. An idle thread is reused before another is started, so under steady load only
# as many run as requests are in hand at once.
WORKERS = Workers(size=32, name="spool-http")

# Resolved paths, by URL resolver and path: resolving is a pure function of the two, and Spool's URL list
# is long, with the API's patterns late in it (each request tried dozens of patterns first). A resolver
# rebuilt (another ROOT_URLCONF, URL caches cleared) is another key. Not found (404) is not kept. Bounded:
# emptied when full (paths with IDs in them are many).
RESOLVED_SIZE = 4_096
_resolved: dict[tuple[Any, str], ResolverMatch] = {}


# A route's own answer to a request in the worker thread, between ``request_started`` and
# ``request_finished``, from the ASGI scope and the body read: ``None`` (before it reads the body) leaves
# the request to Django's handler.
Direct = Callable[[dict[str, Any], IO[bytes]], HttpResponseBase | None]


class OneHopASGIHandler(ASGIHandler):
    """``body_limit()``, when given: the most bytes of a body the routes take (see the module).
    ``direct``, when given: tried first on each request (see :data:`Direct`)."""

    def __init__(
        self, body_limit: Callable[[], int] | None = None, direct: Direct | None = None, bare: bool = False
    ) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)  # the synchronous chain, called in the worker thread
        self.body_limit = body_limit
        self.direct = direct
        if bare:
            self.respond = self._bare_hop
            return
        # Through asgiref's SyncToAsync rather than a bare run_in_executor: it tells the worker thread
        # which loop serves it, so that async_to_sync in a view (the realtime pushes to the in-process
        # channel layer) runs on that loop, not on a new loop of its own in another thread, where the
        # layer's queues, which belong to the serving loop, woke their readers late or not at all.
        # (asgiref types its executor as a ThreadPoolExecutor; it only hands it to run_in_executor.)
        self.respond = SyncToAsync(self._respond, thread_sensitive=False, executor=WORKERS)  # type: ignore[arg-type]

    async def _bare_hop(self, scope: dict[str, Any], body: IO[bytes]) -> HttpResponseBase:
        """``respond`` for a route given ``bare``: :meth:`_respond` on a worker thread in that thread's own
        context, as a WSGI server runs a request (Django's connections are the thread's, kept from one
        request to the next and given back to the pool by ``request_finished``), told which loop serves it
        as ``SyncToAsync`` tells it. ``SyncToAsync`` also runs the request in a copy of the request task's
        context variables and copies them back after: a third of the CPU of the hop, which routes whose
        views read and leave none (the inboxes) need not pay."""
        loop = asyncio.get_running_loop()
        answered = loop.create_future()

        def run() -> None:
            local = SyncToAsync.threadlocal
            local.main_event_loop, local.main_event_loop_pid, local.task_context = loop, os.getpid(), None
            try:
                response = self._respond(scope, body)
            except BaseException as exc:  # the caller raises it
                loop.call_soon_threadsafe(_settle, answered, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, answered, response, None)

        WORKERS.call(run)
        response: HttpResponseBase = await answered
        return response

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Without the ThreadSensitiveContext Django's handler opens per request: only a streaming response
        # opens one (see the module).
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body = await (self.read_limited(receive) if self.body_limit else self.read_body(receive))
        except RequestAborted:
            return  # gone before the request was complete: nothing to answer
        try:
            response = await self.respond(scope, body)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self._send_whole(response, send)
        finally:
            body.close()

    async def read_body(self, receive: Any) -> IO[bytes]:
        """The body as Django's handler reads it (a temporary file past ``FILE_UPLOAD_MAX_MEMORY_SIZE``);
        a body that comes in one message (every GET, most POSTs) as it is, without a temporary file."""
        message = await receive()
        if message["type"] == "http.disconnect":
            raise RequestAborted()
        if not message.get("more_body", False):
            return io.BytesIO(message.get("body", b""))
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")  # noqa: SIM115 - the request's, closed by handle()
        try:
            while True:
                body.write(message.get("body", b""))
                if not message.get("more_body", False):
                    break
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise RequestAborted()
        except BaseException:
            body.close()
            raise
        body.seek(0)
        return body

    async def read_limited(self, receive: Any) -> IO[bytes]:
        """At most one byte more than ``body_limit()`` of the body, in memory."""
        assert self.body_limit is not None
        chunks, size, keep = [], 0, self.body_limit() + 1
        while size < keep:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise RequestAborted()
            chunk = message.get("body", b"")[: keep - size]
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return io.BytesIO(b"".join(chunks))

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """Django's, remembering each path's match (:data:`_resolved`); a request given its own URLconf by
        a middleware is resolved as Django does."""
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        resolver, path = get_resolver(), request.path_info
        key = (resolver, path)
        match = _resolved.get(key)
        if match is None:
            match = resolver.resolve(path)
            if len(_resolved) >= RESOLVED_SIZE:
                _resolved.clear()
            _resolved[key] = match
        request.resolver_match = match
        return match

    def _respond(self, scope: dict[str, Any], body: IO[bytes]) -> HttpResponseBase:
        """The request in this thread: a response with content, read and closed (``request_finished``), or
        a streaming one, with this thread's database connections given back."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        if self.direct is not None and (response := self.direct(scope, body)) is not None:
            response.close()
            return response
        request, response = self.create_request(scope, body)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # as Django's handler: the server chunks
        assert response is not None
        if response.streaming:
            close_old_connections()  # what request_finished does for this thread, which is done
        else:
            response.close()
        return response

    async def _send_whole(self, response: HttpResponseBase, send: Any) -> None:
        """Django's ``send_response`` for a response with content, but its body in one message: Django
        slices a body already whole in memory into 64 KiB copies, each a message and a write of the
        server's (a home page of 40 statuses is two)."""
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": _headers(response)}
        )
        await send({"type": "http.response.body", "body": response.content})  # type: ignore[attr-defined]

    async def _stream(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        """Send a streaming response until its end or the client's disconnect, then close it."""
        async with ThreadSensitiveContext():
            sending = asyncio.create_task(self._send_streaming(response, send))
            listening = asyncio.create_task(self.listen_for_disconnect(receive))
            try:
                await asyncio.wait([sending, listening], return_when=asyncio.FIRST_COMPLETED)
                for task in (listening, sending):
                    task.cancel()  # no-op when done
                    # The stream stopped (its iterator closed) or the client left.
                    with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                        await task
            finally:
                await sync_to_async(response.close)()

    async def _send_streaming(self, response: Any, send: Any) -> None:
        """Django's ``send_response`` for a streaming response, but a synchronous iterator is read part by
        part in the request's thread, not whole into memory first (which Django's handler does: a large
        file, or a stream that never ends, would be held in memory)."""
        if response.is_async:
            await self.send_response(response, send)
            return
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": _headers(response)}
        )
        parts = iter(response.streaming_content)
        # In the request's thread (ThreadSensitiveContext), part after part.
        read = sync_to_async(lambda: next(parts, None))
        while (part := await read()) is not None:
            for chunk, _ in self.chunk_bytes(part):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body"})


def _settle(answered: asyncio.Future[Any], response: Any, exc: BaseException | None) -> None:
    """End ``answered`` with the response or the exception (not once the waiting task was cancelled)."""
    if answered.cancelled():
        return
    if exc is not None:
        answered.set_exception(exc)
    else:
        answered.set_result(response)


def _headers(response: HttpResponseBase) -> list[tuple[bytes, bytes]]:
    """The response's headers and cookies as ASGI sends them (as Django's ``send_response``)."""
    # The pairs as set (``response.items()`` reads them through two generic mapping views).
    pairs = response.headers._store.values()
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in pairs]
    if response.cookies:
        headers += [
            (b"Set-Cookie", c.output(header="").encode("ascii").strip()) for c in response.cookies.values()
        ]
    return headers
