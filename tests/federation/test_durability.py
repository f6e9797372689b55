"""Delivery survives a worker killed mid-delivery: a live instance sends one post to many slow servers,
its Celery worker is killed with SIGKILL while sending, ``serve`` restarts it, and every server still gets
the post — the deliveries that were in flight (at most ``CONCURRENCY``, sent side by side) at most twice at
the HTTP level (receivers drop repeats by activity id, as Spool's own inbox does), every other exactly
once."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spool.federation.devpair import Instance, wait_for
from spool.federation.signatures import sign_request
from tests.federation.fediverse import Fediverse, serve_on_loopback

SERVERS = 6
CONCURRENCY = 2  # deliveries one task sends at once: the most that can be in flight when the worker dies


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def instance(tmp_path: Any, migrated_data_dir: Path) -> Iterator[Instance]:
    live = Instance(
        "d",
        _free_port(),
        tmp_path / "d",
        extra_env={
            "SPOOL_FEDERATION_DELIVERY_LEASE_SECONDS": "3",
            "SPOOL_FEDERATION_DELIVERY_CONCURRENCY": str(CONCURRENCY),
            # The scheduler takes up the deliveries the dead worker held every 2 s rather than every minute.
            "SPOOL_FEDERATION_RETRY_INTERVAL_SECONDS": "2",
        },
    )
    live.migrate(migrated_data_dir)
    live.set_up(["ana"])
    live.start()
    yield live
    live.stop()


def _follow(instance: Instance, actor: Any, target_id: str) -> None:
    body = json.dumps(
        {
            "id": f"{actor.uri}#follows/1",
            "type": "Follow",
            "actor": actor.uri,
            "object": f"{instance.url}/ap/accounts/{target_id}",
        }
    ).encode()
    headers = {"Host": instance.domain, "Content-Type": "application/activity+json"}
    headers.update(
        sign_request(
            "POST",
            f"{instance.url}/ap/inbox",
            headers,
            body,
            key_id=actor.key_id,
            private_pem=actor.private_pem,
        )
    )
    request = urllib.request.Request(f"{instance.url}/ap/inbox", data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 202


def test_every_delivery_arrives_after_the_worker_is_killed_mid_delivery(instance: Instance) -> None:
    fediverse = Fediverse(0)
    servers = serve_on_loopback(fediverse, SERVERS)
    try:
        ana_id = instance.people["ana"]["id"]
        for i, server in enumerate(servers):
            actor = fediverse.actor(f"http://127.0.0.1:{server.server_address[1]}/users/r{i}")
            _follow(instance, actor, ana_id)
        ana = instance.client("ana")
        wait_for(
            "all followers", lambda: len(ana.get(f"/api/v1/accounts/{ana_id}/followers", limit=40)) == SERVERS
        )
        wait_for("the Accepts", lambda: len(fediverse.deliveries("Accept")) == SERVERS)
        fediverse.inbox_delay = 1.5  # each server now takes 1.5 s to answer
        ana.post("/api/v1/statuses", {"status": "survive the crash"})
        wait_for("the first deliveries", lambda: len(fediverse.deliveries("Create")) >= 1, every=0.1)
        worker = instance.worker_pid()
        assert worker is not None
        os.kill(worker, signal.SIGKILL)
        fediverse.inbox_delay = 0.0
        wait_for(
            "every server to receive the post",
            lambda: len({r.host for r in fediverse.deliveries("Create")}) == SERVERS,
            timeout=240,
        )
        per_server = Counter(r.host for r in fediverse.deliveries("Create"))
        assert len({r.activity["id"] for r in fediverse.deliveries("Create")}) == 1
        # All but the ones in flight exactly once; those at most twice.
        assert sorted(per_server.values())[:-CONCURRENCY] == [1] * (SERVERS - CONCURRENCY)
        assert max(per_server.values()) <= 2
        assert instance.worker_pid() not in (None, worker)  # serve restarted the worker
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
