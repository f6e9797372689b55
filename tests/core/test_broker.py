"""The embedded broker hands a worker only whole messages: a producer process writes large messages while
this process polls the folder as fast as it can, and every message arrives once, intact.

Kombu's stock ``filesystem`` transport fails this test (the consumer claims files the producer is still
writing and gets truncated JSON); ``spool.core.broker`` writes aside and renames into place."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty
from typing import Any

from kombu import Connection

from spool.core.broker import AtomicFilesystemTransport

TRANSPORT = "spool.core.broker:AtomicFilesystemTransport"
MESSAGES = 30
SIZE = 2_000_000  # bytes of payload per message: large enough that one write() is not instantaneous

_PRODUCER = """
import hashlib, sys
from kombu import Connection
transport, folder, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
options = {"data_folder_in": folder, "data_folder_out": folder, "processed_folder": folder + "/../processed",
           "control_folder": folder + "/../control"}
with Connection("filesystem://", transport=transport, transport_options=options) as conn:
    queue = conn.SimpleQueue("big")
    for i in range(count):
        body = (str(i) * size)[:size]
        queue.put({"i": i, "body": body, "sha": hashlib.sha256(body.encode()).hexdigest()})
    queue.close()
"""


def _options(root: Path) -> dict[str, str]:
    for sub in ("in", "processed", "control"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(root / "in"),
        "data_folder_out": str(root / "in"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
    }


def test_settings_select_the_atomic_transport_for_the_embedded_broker() -> None:
    from django.conf import settings

    if settings.CELERY_BROKER_URL != "filesystem://":
        return  # the Redis configuration has no filesystem broker to check
    assert settings.CELERY_BROKER_TRANSPORT == TRANSPORT
    with Connection(settings.CELERY_BROKER_URL, transport=settings.CELERY_BROKER_TRANSPORT) as conn:
        assert isinstance(conn.transport, AtomicFilesystemTransport)


def test_a_polling_consumer_never_reads_a_half_written_message(tmp_path: Path) -> None:
    options = _options(tmp_path)
    producer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", _PRODUCER, TRANSPORT, options["data_folder_in"], str(MESSAGES), str(SIZE)]
    )
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options) as conn:
        queue = conn.SimpleQueue("big")
        while len(received) < MESSAGES and time.monotonic() < deadline:
            try:
                message = queue.get(block=False)  # poll without pause, to meet files as they are written
            except Empty:
                if producer.poll() is not None and not list(Path(options["data_folder_in"]).glob("*.msg")):
                    break
                continue
            received.append(message.payload)
            message.ack()
        queue.close()
    assert producer.wait(timeout=60) == 0
    assert sorted(m["i"] for m in received) == list(range(MESSAGES))
    for m in received:
        assert len(m["body"]) == SIZE
        assert hashlib.sha256(m["body"].encode()).hexdigest() == m["sha"]
    # Nothing is left behind: no half-written files, no claimed-but-unread messages.
    assert list(Path(options["data_folder_in"]).iterdir()) == []
    assert list(Path(options["processed_folder"]).iterdir()) == []
