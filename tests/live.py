"""A live Spool on loopback for tests that drive it through real clients: uvicorn serving
``spool.asgi.application`` (HTTP, server-sent events and WebSockets) in a background thread of the test
process, on a free port, so it shares the test database and the in-process channel layer.

Use with committed data (``transactional_db``); act on the server through HTTP only, so that every event
is published from the server's own event loop, as in production.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.db import connections

from spool.asgi import application

START_TIMEOUT = 10.0


@dataclass(frozen=True)
class LiveSpool:
    url: str
    host: str
    port: int


@pytest.fixture
def live_spool(transactional_db: None) -> Iterator[LiveSpool]:
    # Each request closes its database connection when done: the server's threads must not keep the test
    # database open after the test.
    database = connections.settings["default"]
    kept_age = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            lifespan="off",
            log_level="warning",
            ws_ping_interval=None,
            # Streams never end by themselves: stop waiting for them when the test is over.
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    # Absolute URLs (statuses, the instance's streaming URL) name this server.
    config = django_settings.SPOOL
    kept_domain, config.domain = config.domain, f"{host}:{port}"
    try:
        yield LiveSpool(f"http://{host}:{port}", host, port)
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        listener.close()
        database["CONN_MAX_AGE"] = kept_age
        config.domain = kept_domain
