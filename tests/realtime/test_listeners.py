"""On the Redis layer a post's push names only the home groups of its author's followers who listen
(:mod:`spool.realtime.listeners`), and still reaches every one of them: through real streaming sockets, a
listener of another process, connections coming and going, and records left by a process that died."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from spool.identities.models import Account
from spool.identities.services import follow_account
from spool.posts.services import create_post
from spool.realtime import listeners
from spool.realtime.delivery import home_groups
from spool.realtime.groups import home_group
from spool.realtime.push import event_message, push
from tests.realtime.sockets import WAIT, db, listen, person, run, socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_listener_left_over() -> None:
    """Other tests leave bare channels in groups (and their records): each test here starts from none."""
    async_to_sync(get_channel_layer().flush)()


def on_redis() -> bool:
    return listeners.registry(get_channel_layer()) is not None


async def frame(connection: Any) -> dict[str, Any]:
    return json.loads(await connection.receive_from(timeout=WAIT))


async def home_stream(account: Account) -> Any:
    connection = socket({"access_token": await db(token_for)(account), "stream": "user"})
    connected, _ = await connection.connect()
    assert connected
    return connection


def star_with_fans(fans: int) -> tuple[Account, list[Account]]:
    """An account followed by ``fans`` people (more followers than the tests' connections: the push asks
    about the listeners, not about every follower)."""
    star = person("star")
    people = [person(f"fan{i}") for i in range(fans)]
    for fan in people:
        follow_account(fan, star)
    return star, people


async def listening() -> list[int]:
    found = await listeners.listening(get_channel_layer(), 1_000_000)
    assert found is not None
    return found


def test_a_post_reaches_the_connected_followers_and_no_connected_non_follower() -> None:
    star, (fan, *_) = star_with_fans(4)
    stranger = person("stranger")

    async def scenario() -> None:
        fans_socket, strangers_socket = await home_stream(fan), await home_stream(stranger)
        named = await db(home_groups)(star.id)
        if on_redis():  # only the listening follower's home feed is named, not the three others'
            assert named == [home_group(star.id), home_group(fan.id)]
        post = await db(create_post)(star, text="For my fans")
        message = await frame(fans_socket)
        assert message["event"] == "update" and json.loads(message["payload"])["id"] == str(post.id)
        await db(push)(home_group(stranger.id), event_message("marker", "after the post"))
        assert (await frame(strangers_socket))["event"] == "marker"  # the post did not come first
        for connection in (fans_socket, strangers_socket):
            await connection.disconnect()

    run(scenario)


def test_a_post_made_the_moment_a_connection_joins_its_home_group_reaches_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A connection is recorded as listening before it joins its home group: a post pushed right after it
    joined (from another process, say) finds it recorded."""
    star, (fan, *_) = star_with_fans(3)
    layer = get_channel_layer()
    joining = layer.group_add
    posted: list[int] = []

    async def group_add_then_post(group: str, channel: str) -> None:
        await joining(group, channel)
        if group == home_group(fan.id):
            posted.append((await db(create_post)(star, text="Just as you came")).id)

    monkeypatch.setattr(layer, "group_add", group_add_then_post)

    async def scenario() -> None:
        connection = await home_stream(fan)
        message = await frame(connection)
        assert message["event"] == "update" and json.loads(message["payload"])["id"] == str(posted[0])
        await connection.disconnect()

    run(scenario)


def test_a_follower_listening_in_another_process_gets_the_post() -> None:
    """Another process's connection: its own layer (own Redis connections, nothing shared in this process)
    records it and joins the group; the post pushed from here reaches it."""
    if not on_redis():
        pytest.skip("the in-process layer reaches connections of its own process only")
    from channels_redis.core import RedisChannelLayer

    star, (fan, *_) = star_with_fans(3)

    async def scenario() -> None:
        elsewhere = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
        channel = await elsewhere.new_channel()
        await listeners.join(elsewhere, home_group(fan.id), channel)
        post = await db(create_post)(star, text="Across processes")
        message = await asyncio.wait_for(elsewhere.receive(channel), WAIT)
        assert (message["post_id"], message["group"]) == (post.id, home_group(fan.id))
        await listeners.leave(elsewhere, home_group(fan.id), channel)
        await elsewhere.close_pools()

    run(scenario)


def test_a_connection_is_forgotten_when_it_leaves_and_another_of_the_same_person_is_not() -> None:
    if not on_redis():
        pytest.skip("the in-process layer keeps no record of listeners")
    ana = person("ana")

    async def scenario() -> None:
        phone, laptop = await home_stream(ana), await home_stream(ana)
        assert await listening() == [ana.id]
        await phone.disconnect()
        assert await listening() == [ana.id]  # the laptop still listens
        await laptop.send_to(text_data=json.dumps({"type": "unsubscribe", "stream": "user"}))
        await laptop.send_to(text_data=json.dumps({"type": "subscribe", "stream": "nonsense"}))
        assert (await frame(laptop))["status"] == 400  # the unsubscribe was handled
        assert await listening() == []
        await laptop.disconnect()
        key = listeners.registry(get_channel_layer())
        assert await listeners._connection(get_channel_layer(), key).zcard(key) == 0

    run(scenario)


def test_a_record_not_refreshed_expires_and_a_connected_one_is_refreshed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process that died leaves records nobody refreshes: they stop counting once expired, and are
    dropped; an open connection refreshes its own."""
    if not on_redis():
        pytest.skip("the in-process layer keeps no record of listeners")
    monkeypatch.setattr(listeners, "EXPIRES_AFTER", 0.5)
    monkeypatch.setattr(listeners, "REFRESH_SECONDS", 0.1)
    ana, bob = person("ana"), person("bob")

    async def scenario() -> None:
        await listen(home_group(bob.id))  # a bare channel, as a process that died left it: never refreshed
        connection = await home_stream(ana)
        assert await listening() == sorted([ana.id, bob.id])
        await asyncio.sleep(1.0)
        assert await listening() == [ana.id]
        key = listeners.registry(get_channel_layer())
        assert await listeners._connection(get_channel_layer(), key).zcard(key) == 1  # bob's was dropped
        await connection.disconnect()

    run(scenario)


def test_every_followers_group_is_named_when_as_many_connections_listen_as_there_are_followers() -> None:
    """As many listeners as followers (the edge: one fewer takes the listeners' path, as the first test
    shows): the followers are read as before, and every one named, listening or not."""
    star, fans = star_with_fans(2)
    other = person("other")

    async def scenario() -> None:
        for account in (fans[0], other):
            await listen(home_group(account.id))
        named = await db(home_groups)(star.id)
        assert named[0] == home_group(star.id)
        assert sorted(named[1:]) == sorted(home_group(f.id) for f in fans)

    run(scenario)
