"""The transport of the federation bench (:mod:`bench.federation`), on bare asyncio streams so the load
driver and the stand-in servers cost little CPU beside the server under test:

- :class:`StandIns`: many remote servers in one process: one listener per ``host:port`` (distinct
  loopback addresses ``127.0.x.y``, so each is a server of its own to Spool: its own domain, connection and
  health record). Every inbox POST waits ``delay`` seconds (the network and the remote server's work), has
  its HTTP Signature checked with Spool's own verifier against the sender's known public key, and is
  answered 202 (401 when the signature does not verify); the moment each activity reached each host is kept.
- :func:`post_all`: a closed-loop HTTP/1.1 client: ``connections`` keep-alive connections POST the given
  (already signed) requests back to back; each request's status and latency.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    """The first line and the headers (names lower-cased) of an HTTP/1.1 message."""
    first = (await reader.readline()).decode("latin-1").rstrip("\r\n")
    if not first:
        raise ConnectionError("closed")
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return first, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])
    return await reader.readexactly(int(headers.get("content-length", "0") or 0))


@dataclass
class StandIns:
    """Stand-in remote servers (see the module docstring). ``keys``: key id → public key PEM of the local
    senders whose signatures they accept."""

    listeners: list[tuple[str, int]]
    delay: float
    keys: dict[str, str]
    arrivals: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    refused: int = 0
    received: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen on every ``host:port`` (in a thread with its own event loop); returns once they do."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._listen())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="stand-in-servers", daemon=True)
        self._thread.start()
        if not ready.wait(60):
            raise RuntimeError("the stand-in servers did not start")

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _listen(self) -> None:
        for host, port in self.listeners:
            await asyncio.start_server(self._serve, host, port, backlog=512)

    def reached(self, activity_id: str) -> dict[str, float]:
        """Host → when ``activity_id`` was answered there (``time.perf_counter()``)."""
        return dict(self.arrivals.get(activity_id, {}))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                first, headers = await _read_head(reader)
                body = await _read_body(reader, headers)
                method, target = first.split(" ")[:2]
                status = await self._answer(method, target, headers, body)
                writer.write(f"HTTP/1.1 {status} -\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
        from spool.federation.signatures import SignatureError, verify_request

        await asyncio.sleep(self.delay)
        self.received += 1

        def lookup(key_id: str, refresh: bool) -> tuple[str, str] | None:
            pem = self.keys.get(key_id)
            return (pem, key_id.split("#", 1)[0]) if pem else None

        try:
            verify_request(method, target, headers, body, lookup)
            activity_id = str(json.loads(body).get("id"))
        except (SignatureError, ValueError, AttributeError):
            self.refused += 1
            return 401
        self.arrivals[activity_id].setdefault(headers.get("host", ""), time.perf_counter())
        return 202


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]  # Host, Content-Type and the signature headers
    body: bytes


async def post_all(
    host: str,
    port: int,
    requests: list[Request],
    connections: int,
    on_answer: Callable[[], None] | None = None,
) -> list[tuple[int, float]]:
    """POST every request (closed loop over ``connections`` keep-alive connections); per request, in
    order: (HTTP status or 0 on a transport error, seconds from writing it to reading the answer)."""
    results: list[tuple[int, float]] = [(0, 0.0)] * len(requests)
    counter = itertools.count()

    async def connection() -> None:
        reader = writer = None
        while (index := next(counter)) < len(requests):
            request = requests[index]
            head = f"POST {request.path} HTTP/1.1\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in request.headers.items()
            )
            head += f"Content-Length: {len(request.body)}\r\n\r\n"
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                writer.write(head.encode("latin-1") + request.body)
                await writer.drain()
                first, headers = await _read_head(reader)
                await _read_body(reader, headers)
                results[index] = (int(first.split(" ")[1]), time.perf_counter() - started)
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                results[index] = (0, time.perf_counter() - started)
                if writer is not None:
                    writer.close()
                reader = writer = None
            if on_answer is not None:
                on_answer()
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return results
