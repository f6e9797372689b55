"""Fixtures for federation tests: local people (through the API), federation switched on for them, and a
stand-in fediverse on loopback (see :mod:`tests.federation.fediverse`)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from spool.federation.actors import forget_keys
from spool.federation.devpair import Instance, make_pair, start_pair
from spool.federation.server_lists import servers_changed
from tests.federation.fediverse import Fediverse, RemoteActor, signed_headers, start
from tests.posts.conftest import Person, person  # noqa: F401 - fixture re-exported

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "activitypub"
REMOTE_HOSTS = {
    "localhost",  # GoToSocial's test fixtures (localhost:8080)
    "mastodon.example.org",
    "misskey.io",
    "misskey.xyz",
    "p.helene.moe",
    "mk.absturztau.be",
    "lostallofmy.faith",
    "remote.example",
    "other.example",
    "mastodon.sdf.org",
    "threads.net",
    "www.threads.net",
}


def without_context(activity: dict[str, Any]) -> dict[str, Any]:
    """An activity as it travels inside another (an ``Undo``'s object): without its ``@context``."""
    return {k: v for k, v in activity.items() if k != "@context"}


def captured(name: str) -> dict[str, Any]:
    """A captured payload from ``tests/fixtures/activitypub/<software>/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def _keys_forgotten() -> Iterator[None]:
    """Each test's remote actors have keys of their own: none kept from an earlier test's database; nor
    are the blocked servers of an earlier test's database (emptied without signals) kept for a second."""
    forget_keys()
    servers_changed()
    yield
    forget_keys()
    servers_changed()


@pytest.fixture(autouse=True)
def spool_config(settings: Any) -> Iterator[Any]:
    """``settings.SPOOL`` for this test, restored afterwards: development mode on (http and loopback for
    federation — allowed because debug is on too) and the site named as the test client calls it."""
    config = settings.SPOOL
    kept = dict(vars(config))
    config.debug, config.federation_dev_mode, config.domain = True, True, "testserver"
    yield config
    vars(config).update(kept)


@pytest.fixture
def fediverse(monkeypatch: Any, tmp_path: Any) -> Iterator[Fediverse]:
    world, servers = start(monkeypatch, REMOTE_HOSTS, tmp_path)
    yield world
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def federating(person: Callable[..., Person]) -> Callable[..., Person]:  # noqa: F811
    """``federating("ana")``: a local person who opted in to federation through the API."""

    def make(handle: str) -> Person:
        someone = person(handle)
        response = someone.client.put(
            "/api/spool/v1/federation/me", json.dumps({"enabled": True}), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return someone

    return make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Two real Spool instances (``spool.federation.devpair``): who is on each, and what their environment adds.
PAIRS: dict[str, tuple[tuple[list[str], list[str]], dict[str, str]]] = {
    "plain": ((["alice"], ["bob", "carol"]), {}),
    # Secure mode ("authorized fetch") on both.
    "secure": ((["alice"], ["bob"]), {"SPOOL_FEDERATION_SECURE_MODE": "1"}),
}


@contextmanager
def running_pair(
    kind: str, tmp_path_factory: pytest.TempPathFactory, migrated: Path
) -> Iterator[tuple[Instance, Instance]]:
    """Two running instances made as ``PAIRS[kind]`` says, on free loopback ports, from the migrated
    database in ``migrated``; stopped on exit."""
    handles, env = PAIRS[kind]
    a, b = make_pair(
        tmp_path_factory.mktemp(f"{kind}-pair"),
        (_free_port(), _free_port()),
        handles,
        migrated=migrated,
        env=env,
    )
    try:
        start_pair(a, b)
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory, migrated_data_dir: Path
) -> Iterator[tuple[Instance, Instance]]:
    """alice on A; bob and carol on B (shared by the tests of a module)."""
    with running_pair("plain", tmp_path_factory, migrated_data_dir) as instances:
        yield instances


@pytest.fixture(scope="module")
def secure_pair(
    tmp_path_factory: pytest.TempPathFactory, migrated_data_dir: Path
) -> Iterator[tuple[Instance, Instance]]:
    """alice on A; bob on B; both in secure mode (shared by the tests of a module)."""
    with running_pair("secure", tmp_path_factory, migrated_data_dir) as instances:
        yield instances


def deliver_to_inbox(
    client: Any, actor: RemoteActor, activity: dict[str, Any], path: str = "/ap/inbox"
) -> Any:
    """POST ``activity`` to our inbox signed as ``actor``, as a remote server would."""
    body = json.dumps(activity).encode()
    return client.post(
        path, body, content_type="application/activity+json", **signed_headers(actor, path, body)
    )
