"""A bearer token is remembered between requests (spool.oauth.credentials: this process's memory embedded,
Redis at scale), yet whatever ends it is refused on the very next request: revocation (by the app, from
Settings, by a refresh), a password change, deactivation, suspension, deletion. The same holds at every door
a token opens: the API, ``/oauth/userinfo`` and the streaming handshake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CommitClient
from spool.accounts.models import User
from spool.asgi import application
from spool.identities.models import Account
from spool.identities.services import deactivate_account, delete_account
from spool.moderation.services import grant_role, take_action
from spool.oauth import credentials
from spool.oauth.models import Token
from spool.oauth.services import digest, revoke_authorization
from tests.oauth.client import App, Browser, person, redirect_params
from tests.realtime.sockets import WAIT, run

pytestmark = pytest.mark.django_db
HOME = "/api/v1/timelines/home"


def authorized(handle: str = "ana") -> tuple[App, CommitClient, dict[str, Any]]:
    person(handle)
    app = App.register()
    code = redirect_params(Browser().approve(app, f"{handle}@example.com"))["code"]
    issued = app.exchange(code).json()
    return app, CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}"), issued


def token_queries(client: CommitClient) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    table = Token._meta.db_table
    return [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def test_a_remembered_token_is_not_read_again() -> None:
    _, api, _ = authorized()
    assert token_queries(api)  # first use: read from the database
    assert token_queries(api) == []  # then remembered


def suspend(ana: Account) -> None:
    boss = person("boss")
    grant_role(None, boss, "admin")
    take_action(boss, "account", ana.pk, "suspend", "Spam.")


def change_password(ana: Account) -> None:
    user = User.objects.get(pk=ana.user_id)
    user.set_password("a completely new passphrase")
    user.save()


def revoke_in_settings(ana: Account) -> None:
    revoke_authorization(ana, Token.objects.get(account=ana).application_id)


ENDINGS: dict[str, Callable[[Account], None]] = {
    "deactivated": deactivate_account,
    "suspended": suspend,
    "deleted": delete_account,
    "password changed": change_password,
    "revoked in settings": revoke_in_settings,
}


async def userinfo(raw: str) -> int:
    return await sync_to_async(
        lambda: CommitClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/oauth/userinfo").status_code
    )()


async def streaming(raw: str) -> int:
    """200 when a WebSocket handshake on the user stream is accepted, else Mastodon's status (close code
    minus 4000)."""
    connection = WebsocketCommunicator(application, f"/api/v1/streaming?stream=user&access_token={raw}")
    connected, code = await connection.connect(timeout=WAIT)
    if connected:
        await connection.disconnect()
        return 200
    return int(code) - 4000


async def api_home(raw: str) -> int:
    return await sync_to_async(
        lambda: CommitClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get(HOME).status_code
    )()


# Every door a bearer token opens reads it through the same remembered credential. Each test knocks from
# one event loop (Redis' channel layer keeps its connections to the loop that made them); the test's own
# database work runs in the test's thread (``sync_to_async``). The streaming consumer hands its database
# work to Channels, which closes a connection left inside a transaction: those tests commit for real.
DOORS: dict[str, Callable[[str], Awaitable[int]]] = {
    "api": api_home,
    "userinfo": userinfo,
    "streaming": streaming,
}
DOOR_PARAMS = [
    pytest.param(name, marks=[pytest.mark.django_db(transaction=True)] if name == "streaming" else [])
    for name in DOORS
]


@pytest.mark.parametrize("door", DOOR_PARAMS)
@pytest.mark.parametrize("ending", ENDINGS)
def test_what_ends_a_remembered_token_is_seen_on_the_next_request(ending: str, door: str) -> None:
    _, _, issued = authorized()
    raw, knock = issued["access_token"], DOORS[door]

    async def scenario() -> None:
        assert await knock(raw) == 200
        assert await knock(raw) == 200  # remembered by now
        await sync_to_async(lambda: ENDINGS[ending](Account.objects.get(handle="ana")))()
        assert await knock(raw) == 401

    run(scenario)


@pytest.mark.parametrize("door", DOOR_PARAMS)
def test_every_door_remembers_the_token(door: str) -> None:
    """The API, the userinfo endpoint and a streaming handshake all leave the token remembered (so that the
    next use reads no token row: :func:`test_a_remembered_token_is_not_read_again`)."""
    _, _, issued = authorized()
    hashed = digest(issued["access_token"])
    assert credentials.lookup(hashed)[0] is None

    async def knock() -> int:
        return await DOORS[door](issued["access_token"])

    assert run(knock) == 200
    remembered = credentials.lookup(hashed)[0]
    assert remembered is not None and remembered.account_id == Account.objects.get(handle="ana").id


def test_revoked_by_the_app_or_refreshed_is_refused_next() -> None:
    app, api, issued = authorized()
    assert api.get(HOME).status_code == 200
    revoked = app.http.post(
        "/oauth/revoke",
        {"client_id": app.client_id, "client_secret": app.client_secret, "token": issued["access_token"]},
    )
    assert revoked.status_code == 200
    assert api.get(HOME).status_code == 401

    app, api, issued = authorized("bea")
    assert api.get(HOME).status_code == 200
    refreshed = app.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    assert api.get(HOME).status_code == 401
    renewed = CommitClient(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access_token']}")
    assert renewed.get(HOME).status_code == 200


def test_a_new_sign_in_is_not_an_ending() -> None:
    """Saves that do not touch what a token depends on (a sign-in's ``last_login``) keep it remembered."""
    _, api, _ = authorized()
    assert token_queries(api)
    user = User.objects.get(email="ana@example.com")
    user.save(update_fields=["last_login"])
    assert token_queries(api) == []


def test_with_redis_the_token_is_read_in_the_rate_counters_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An API request sends its remembered credential's lookup along with the rate-limit counter: one Redis
    round trip for both, not one each."""
    from django.conf import settings
    from redis.connection import AbstractConnection

    if not settings.SPOOL.redis_url:
        pytest.skip("embedded: the credential is in this process's memory, no round trip")
    _, api, _ = authorized()
    assert api.get(HOME).status_code == 200  # remembered from now on
    trips: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        trips.append(b"".join(command) if isinstance(command, list | tuple) else bytes(command))
        send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    assert api.get(HOME).status_code == 200
    with_token = [trip for trip in trips if b":cred:" in trip]
    assert len(with_token) == 1
    assert b":rl:" in with_token[0]  # the counter's key travels with the credential's
