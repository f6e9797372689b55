"""Mastodon's streaming API through the real ASGI application: the WebSocket at ``/api/v1/streaming`` and
the server-sent events at ``/api/v1/streaming/<stream>``, with real tokens, services and channel layer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import Client

from spool.asgi import application
from spool.posts.services import create_post, delete_post
from spool.realtime.groups import direct_group
from spool.realtime.push import event_message, push
from tests.realtime.sockets import WAIT, db, person, run, socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


async def frame(connection: Any) -> dict[str, Any]:
    return json.loads(await connection.receive_from(timeout=WAIT))


async def send(connection: Any, *messages: dict[str, Any]) -> None:
    """Send subscribe/unsubscribe messages and wait until the consumer has handled them (messages are
    handled in order, and an unknown stream is answered with an error frame)."""
    for message in messages:
        await connection.send_to(text_data=json.dumps(message))
    await connection.send_to(text_data=json.dumps({"type": "subscribe", "stream": "nonsense"}))
    assert (await frame(connection))["status"] == 400


async def opened(query: dict[str, str], **kwargs: Any) -> Any:
    connection = socket(query, **kwargs)
    connected, _ = await connection.connect()
    assert connected
    return connection


def refusal(query: dict[str, str] | None = None, **kwargs: Any) -> int:
    """The close code of a refused handshake (4000 + the HTTP status Mastodon answers)."""

    async def scenario() -> int:
        connection = socket(query, **kwargs)
        connected, code = await connection.connect()
        assert not connected
        return int(code)

    return run(scenario)


def test_health() -> None:
    response = Client().get("/api/v1/streaming/health")
    assert response.status_code == 200 and response.content == b"OK"


def test_a_socket_without_a_valid_token_is_refused() -> None:
    ana = person("ana")
    assert refusal() == 4401
    assert refusal({"stream": "public"}) == 4401
    assert refusal({"access_token": "nope", "stream": "user"}) == 4401
    assert refusal({"access_token": token_for(ana, "write"), "stream": "user"}) == 4401  # no read scope
    notifications_only = token_for(ana, "read:notifications")
    assert refusal({"access_token": notifications_only, "stream": "user"}) == 4401
    assert refusal({"access_token": notifications_only, "stream": "nonsense"}) == 4400
    assert refusal({"access_token": notifications_only, "stream": "hashtag", "tag": "x"}) == 4401
    assert refusal({"access_token": token_for(ana, "read"), "stream": "hashtag"}) == 4400  # no tag


def test_subscriptions_are_checked_one_by_one_and_refused_with_an_error_frame() -> None:
    ana = person("ana")
    token = token_for(ana, "read:notifications")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "user:notification"})
        expected = {
            json.dumps({"type": "subscribe", "stream": "user"}): 401,
            json.dumps({"type": "subscribe", "stream": "public"}): 401,
            json.dumps({"type": "subscribe", "stream": "elsewhere"}): 400,
            json.dumps({"type": "subscribe"}): 400,
            json.dumps({"type": "dance"}): 400,
            json.dumps(["subscribe"]): 400,
            "{not json": 400,
        }
        for text, status in expected.items():
            await connection.send_to(text_data=text)
            answer = await frame(connection)
            assert answer["status"] == status and answer["error"], text
        await connection.disconnect()

    run(scenario)


def test_an_app_token_may_read_public_streams_but_not_personal_ones() -> None:
    token = token_for(None, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "public"})
        await connection.send_to(text_data=json.dumps({"type": "subscribe", "stream": "user"}))
        assert (await frame(connection))["status"] == 401
        await connection.disconnect()

    run(scenario)


def test_the_token_may_come_as_the_subprotocol_which_is_echoed() -> None:
    ana = person("ana")
    token = token_for(ana, "read")

    async def scenario() -> None:
        connection = socket({"stream": "user"}, subprotocols=[token])
        connected, subprotocol = await connection.connect()
        assert connected and subprotocol == token
        await connection.disconnect()

    run(scenario)


def test_a_deleted_post_is_announced_on_the_user_and_public_streams() -> None:
    ana, bob = person("ana"), person("bob")
    from spool.identities.services import follow_account

    follow_account(bob, ana)
    post = create_post(ana, text="Soon gone")
    token = token_for(bob, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "user"})
        await send(connection, {"type": "subscribe", "stream": "public:local"})
        await db(delete_post)(ana, post.id)
        frames = [await frame(connection), await frame(connection)]
        assert sorted(f["stream"][0] for f in frames) == ["public:local", "user"]
        for f in frames:
            assert (f["event"], f["payload"]) == ("delete", str(post.id))
        await connection.disconnect()

    run(scenario)


def test_unsubscribe_stops_a_stream_and_keeps_the_others() -> None:
    ana, bob = person("ana"), person("bob")
    doomed = [create_post(bob, text=f"Post {n}") for n in range(2)]
    token = token_for(ana, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token})
        await send(
            connection, {"type": "subscribe", "stream": "public"}, {"type": "subscribe", "stream": "direct"}
        )
        await db(delete_post)(bob, doomed[0].id)
        assert (await frame(connection))["stream"] == ["public"]
        await send(connection, {"type": "unsubscribe", "stream": "public"})
        await db(delete_post)(bob, doomed[1].id)  # no longer heard
        await db(push)(direct_group(ana.id), event_message("conversation", {"id": "7"}))
        answer = await frame(connection)
        assert answer == {"stream": ["direct"], "event": "conversation", "payload": '{"id":"7"}'}
        await connection.disconnect()

    run(scenario)


def test_hashtag_streams_carry_the_tag_and_unsubscribe_by_tag() -> None:
    ana = person("ana")
    token = token_for(ana, "read:statuses")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "hashtag", "tag": "Cats"})
        await send(
            connection,
            {"type": "subscribe", "stream": "hashtag", "tag": "dogs"},
            {"type": "unsubscribe", "stream": "hashtag", "tag": "Cats"},
        )
        from spool.realtime.groups import hashtag_group

        await db(push)(hashtag_group("cats"), event_message("delete", "1"))
        await db(push)(hashtag_group("DOGS"), event_message("delete", "2"))
        assert await frame(connection) == {"stream": ["hashtag", "dogs"], "event": "delete", "payload": "2"}
        await connection.disconnect()

    run(scenario)


# --- Server-sent events -------------------------------------------------------------------------------


class EventStream:
    """One ``GET /api/v1/streaming/...`` held open on the ASGI application."""

    def __init__(self, path: str, query: str = "", headers: list[tuple[bytes, bytes]] | None = None) -> None:
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), *(headers or [])],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.app = ApplicationCommunicator(application, scope)
        self.buffer = ""

    async def open(self) -> tuple[int, dict[bytes, bytes]]:
        await self.app.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await self.app.receive_output(WAIT)
        return start["status"], dict(start["headers"])

    async def body(self) -> bytes:
        return (await self.app.receive_output(WAIT))["body"]

    async def event(self) -> tuple[str, str]:
        """The next ``event:``/``data:`` pair (comments such as heartbeats skipped)."""
        while "\n\n" not in self.buffer:
            self.buffer += (await self.body()).decode()
        block, self.buffer = self.buffer.split("\n\n", 1)
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            return await self.event()
        fields = dict(line.split(": ", 1) for line in lines)
        return fields["event"], fields["data"]

    async def close(self) -> None:
        await self.app.send_input({"type": "http.disconnect"})
        await self.app.wait(WAIT)


def test_server_sent_events_refuse_personal_streams_without_a_token() -> None:
    async def scenario() -> None:
        for path, query in (("/api/v1/streaming/user", ""), ("/api/v1/streaming/direct", "access_token=x")):
            stream = EventStream(path, query)
            status, headers = await stream.open()
            assert status == 401 and headers[b"content-type"] == b"application/json"
            assert json.loads(await stream.body())["error"]
        stream = EventStream("/api/v1/streaming/hashtag")
        assert (await stream.open())[0] == 400  # no tag

    run(scenario)


def test_server_sent_events_deliver_deletes_on_public_streams_anonymously() -> None:
    ana = person("ana")
    post = create_post(ana, text="Short-lived")

    async def scenario() -> None:
        stream = EventStream("/api/v1/streaming/public/local")
        status, headers = await stream.open()
        assert status == 200 and headers[b"content-type"] == b"text/event-stream"
        await db(delete_post)(ana, post.id)
        assert await stream.event() == ("delete", str(post.id))
        await stream.close()

    run(scenario)


def test_server_sent_events_take_the_token_from_the_header() -> None:
    ana = person("ana")
    token = token_for(ana, "read")

    async def scenario() -> None:
        stream = EventStream(
            "/api/v1/streaming/direct", headers=[(b"authorization", f"Bearer {token}".encode())]
        )
        assert (await stream.open())[0] == 200
        await db(push)(direct_group(ana.id), event_message("conversation", {"id": "1"}))
        assert await stream.event() == ("conversation", '{"id":"1"}')
        await stream.close()

    run(scenario)


# --- Statuses, rendered for each recipient ----------------------------------------------------------


def status_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["event"] in ("update", "status.update"), answer
    return json.loads(answer["payload"])


def test_the_user_stream_delivers_followed_posts_as_statuses_rendered_for_the_viewer() -> None:
    from spool.identities.services import follow_account
    from spool.posts.services import edit_post, like_post

    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)
    token = token_for(bob, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "user"})
        post = await db(create_post)(ana, text="Hello from Ana", topic="greetings")
        await db(like_post)(bob, post.id)
        answer = await frame(connection)
        assert answer["stream"] == ["user"]
        status = status_of(answer)
        assert status["id"] == str(post.id) and status["account"]["acct"] == "ana"
        assert status["tags"][0]["name"] == "greetings"
        await db(edit_post)(ana, post.id, text="Hello again from Ana")
        edited = await frame(connection)
        assert edited["event"] == "status.update"
        # Rendered for Bob: his own favourite shows.
        assert "Hello again" in status_of(edited)["content"] and status_of(edited)["favourited"] is True
        await connection.disconnect()

    run(scenario)


def test_blocked_and_muted_authors_and_posts_the_viewer_may_not_see_never_arrive() -> None:
    from spool.identities.services import block_account, mute_account, update_profile

    bob, blocked, blocker, muted, private, ana = (
        person(h) for h in ("bob", "blocked", "blocker", "muted", "private", "ana")
    )
    block_account(bob, blocked)
    block_account(blocker, bob)
    mute_account(bob, muted)
    update_profile(private, is_private=True)
    token = token_for(bob, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "hashtag", "tag": "news"})
        for author in (blocked, blocker, muted, private):
            await db(create_post)(author, text=f"By {author.handle}", topic="news")
        shown = await db(create_post)(ana, text="By ana", topic="news")
        answer = await frame(connection)  # the first frame is Ana's: the four before it were held back
        assert answer["stream"] == ["hashtag", "news"] and status_of(answer)["id"] == str(shown.id)
        await connection.disconnect()

    run(scenario)


def test_a_rolled_back_post_never_reaches_a_socket() -> None:
    from django.db import transaction

    ana = person("ana")
    token = token_for(ana, "read")

    def write_then_fail() -> None:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            create_post(ana, text="Never committed")
            1 / 0  # noqa: B018

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "public:local"})
        await db(write_then_fail)()
        kept = await db(create_post)(ana, text="Committed")
        assert status_of(await frame(connection))["id"] == str(kept.id)
        await connection.disconnect()

    run(scenario)


def test_a_boost_reaches_the_boosters_followers_as_a_reblog_unless_they_muted_the_booster() -> None:
    from spool.identities.services import follow_account, mute_account
    from spool.posts.services import repost_post

    ana, bob, cy, dee = person("ana"), person("bob"), person("cy"), person("dee")
    for follower in (cy, dee):
        follow_account(follower, bob)
    mute_account(dee, bob)
    post = create_post(ana, text="Worth a boost")
    tokens = [token_for(cy, "read"), token_for(dee, "read")]

    async def scenario() -> None:
        cys, dees = [await opened({"access_token": t, "stream": "user"}) for t in tokens]
        await db(repost_post)(bob, post.id)
        reblog = status_of(await frame(cys))
        assert reblog["account"]["acct"] == "bob" and reblog["reblog"]["id"] == str(post.id)
        own = await db(create_post)(dee, text="Dee's own")
        assert status_of(await frame(dees))["id"] == str(own.id)  # the boost never came
        for connection in (cys, dees):
            await connection.disconnect()

    run(scenario)


def test_list_streams_carry_the_members_posts_to_the_lists_owner_only() -> None:
    from spool.feeds.lists import add_list_members, create_list
    from spool.identities.services import follow_account

    ana, bob, cy = person("ana"), person("bob"), person("cy")
    follow_account(ana, bob)
    follow_account(ana, cy)
    friends = create_list(ana, title="Friends")
    add_list_members(ana, friends.id, [bob.id])
    token = token_for(ana, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "list", "list": str(friends.id)})
        await db(create_post)(cy, text="Not on the list")
        post = await db(create_post)(bob, text="On the list")
        answer = await frame(connection)
        assert answer["stream"] == ["list", str(friends.id)] and status_of(answer)["id"] == str(post.id)
        await connection.disconnect()

    run(scenario)
    assert refusal({"access_token": token_for(cy, "read"), "stream": "list", "list": str(friends.id)}) == 4404
    assert refusal({"access_token": token, "stream": "list", "list": "not-a-number"}) == 4404


def test_server_sent_events_deliver_statuses_to_anonymous_readers_of_public_streams() -> None:
    ana = person("ana")

    async def scenario() -> None:
        stream = EventStream("/api/v1/streaming/public")
        assert (await stream.open())[0] == 200
        post = await db(create_post)(ana, text="For everyone")
        event, data = await stream.event()
        assert event == "update" and json.loads(data)["id"] == str(post.id)
        await stream.close()

    run(scenario)


def test_the_direct_stream_carries_conversations_but_not_message_requests() -> None:
    from spool.identities.services import follow_account
    from spool.messaging.services import start_conversation

    ana, bob, cy = person("ana"), person("bob"), person("cy")
    follow_account(bob, ana)  # Bob follows Ana: her message lands in his inbox; Cy's is a request
    token = token_for(bob, "read:statuses")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "direct"})
        await db(start_conversation)(cy, bob, text="Hi, stranger here")
        await db(start_conversation)(ana, bob, text="Lunch tomorrow?")
        answer = await frame(connection)
        assert answer["stream"] == ["direct"] and answer["event"] == "conversation"
        conversation = json.loads(answer["payload"])
        assert [a["acct"] for a in conversation["accounts"]] == ["ana"] and conversation["unread"] is True
        assert "Lunch tomorrow?" in conversation["last_status"]["content"]
        await connection.disconnect()

    run(scenario)


def test_notifications_reach_the_user_and_notification_streams() -> None:
    from spool.identities.services import follow_account
    from spool.posts.services import like_post

    ana, bob = person("ana"), person("bob")
    post = create_post(ana, text="Like me")
    token = token_for(ana, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "user:notification"})
        await send(connection, {"type": "subscribe", "stream": "user"})
        await db(follow_account)(bob, ana)
        follows = [await frame(connection), await frame(connection)]
        assert sorted(f["stream"][0] for f in follows) == ["user", "user:notification"]
        for answer in follows:
            notification = json.loads(answer["payload"])
            assert answer["event"] == "notification" and notification["type"] == "follow"
            assert notification["account"]["acct"] == "bob" and notification["status"] is None
        await send(connection, {"type": "unsubscribe", "stream": "user"})
        await db(like_post)(bob, post.id)
        answer = await frame(connection)
        liked = json.loads(answer["payload"])
        assert answer["stream"] == ["user:notification"] and liked["type"] == "favourite"
        assert liked["status"]["id"] == str(post.id) and liked["status"]["favourites_count"] == 1
        await connection.disconnect()

    run(scenario)


def test_a_keyword_filter_that_hides_holds_a_status_back_and_one_that_warns_marks_it() -> None:
    from spool.identities.services import follow_account
    from spool.identities.services.word_filters import KeywordChange, create_filter

    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)
    create_filter(
        bob, title="No spoilers", context=["home"], action="hide", keywords=[KeywordChange("finale")]
    )
    create_filter(bob, title="Careful", context=["home"], action="warn", keywords=[KeywordChange("tax")])
    token = token_for(bob, "read")

    async def scenario() -> None:
        connection = await opened({"access_token": token, "stream": "user"})
        await db(create_post)(ana, text="The finale was wild")
        warned = await db(create_post)(ana, text="Tax day tomorrow")
        status = status_of(await frame(connection))
        assert status["id"] == str(warned.id)
        assert [f["filter"]["title"] for f in status["filtered"]] == ["Careful"]
        await connection.disconnect()

    run(scenario)
