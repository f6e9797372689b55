"""``FastScript`` (every API request's rate-limit ``EVALSHA``, sent without redis-py's command machinery)
answers as redis-py's ``Script`` does, through a server that does not know the script, a connection the
server closed, error replies, and a fork; the API's counter counts once across a dropped connection."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.conf import settings

from spool.core import ratelimit
from spool.core.redis import FastScript, redis_client
from tests.redis_keys import delete_redis_keys

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis only")

# KEYS are read, ARGV echoed: a reply of integers, bulk strings and nils, as the rate-limit script's.
ECHO = """
local out = {#KEYS, tonumber(ARGV[1]) * 2}
for i = 1, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) end
out[#out + 1] = ARGV[2]
return out
"""


def fresh(source: str = ECHO) -> FastScript:
    """A script this server has never been sent (a comment of its own): its first call meets NOSCRIPT."""
    return FastScript(redis_client(), f"-- {uuid.uuid4()}\n{source}")


@pytest.fixture
def keys() -> Any:
    prefix = f"{settings.KEY_PREFIX}:fast-script-test:{uuid.uuid4().hex[:8]}"
    yield [f"{prefix}:a", f"{prefix}:b", f"{prefix}:é"]
    delete_redis_keys(f"{prefix}:*")


def kill(connection: Any) -> None:
    """Have the server close this connection (as a restart or an idle timeout would)."""
    host, port = connection._sock.getsockname()[:2]
    redis_client().client_kill(f"{host}:{port}")


def test_the_reply_is_redis_pys(keys: list[str]) -> None:
    redis_client().set(keys[0], b"\x00\xffbytes")
    redis_client().set(keys[2], "ünïcode")
    script = fresh()
    fast = script(keys, (21, "tail"))
    assert fast == script.script(keys=keys, args=[21, "tail"])
    assert fast == [3, 42, b"\x00\xffbytes", None, "ünïcode".encode(), b"tail"]
    assert script([], (1, b"\x01")) == [0, 2, b"\x01"]


def test_a_server_without_the_script_loads_it_and_the_next_call_is_fast(keys: list[str]) -> None:
    script = fresh()
    assert not redis_client().script_exists(script.script.sha)[0]
    assert script(keys, (1, "x"))[:2] == [3, 2]  # NOSCRIPT: loaded and run by redis-py's Script
    assert redis_client().script_exists(script.script.sha)[0]
    assert len(script._idle) == 1  # the connection that met NOSCRIPT was kept: its reply was read whole
    connection = script._idle[0]
    assert script(keys, (2, "y"))[:2] == [3, 4]
    assert script._idle == [connection]


def test_a_connection_the_server_closed_is_replaced(keys: list[str]) -> None:
    script = fresh()
    script(keys, (1, "x"))
    kill(script._idle[0])
    assert script(keys, (5, "z"))[:2] == [3, 10]  # answered through the client, this connection closed
    assert script(keys, (6, "z"))[:2] == [3, 12]  # connected again
    assert script._idle[0]._sock is not None


def test_the_rate_limit_counts_once_across_a_dropped_connection(keys: list[str]) -> None:
    ratelimit._hit_redis(keys[1], 60)
    kill(ratelimit._hit_script()._idle[0])
    assert ratelimit._hit_redis(keys[1], 60)[0] == 2
    assert ratelimit._hit_redis(keys[1], 60)[0] == 3


def test_error_replies_are_raised_and_the_connection_kept(keys: list[str]) -> None:
    from redis.exceptions import ResponseError

    script = fresh("return redis.error_reply('BOOM ' .. ARGV[1])")
    with pytest.raises(ResponseError, match="BOOM 1"):
        script([], (1,))
    with pytest.raises(ResponseError, match="BOOM 2"):  # its own reply, not one left over
        script([], (2,))
    redis_client().set(keys[0], "a string")
    wrong = fresh("return redis.call('LPUSH', KEYS[1], 'x')")
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        wrong(keys[:1])
    assert fresh()(keys, (4, "t"))[:2] == [3, 8]


def test_a_forked_child_uses_connections_of_its_own(keys: list[str]) -> None:
    script = fresh()
    script(keys, (1, "x"))
    parents = script._idle[0]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            ok = script(keys, (3, "c"))[:2] == [3, 6] and script._idle[0] is not parents
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(child, 0)
    os.close(read)
    assert script._idle == [parents]
    assert script(keys, (2, "p"))[:2] == [3, 4]  # the parent's connection is still its own


def test_at_most_idle_max_connections_are_kept_between_calls(keys: list[str], monkeypatch: Any) -> None:
    """Calls running at once each take a connection; given back, ``IDLE_MAX`` are kept and the rest
    closed."""
    from spool.core import redis as module

    monkeypatch.setattr(module, "IDLE_MAX", 2)
    script = fresh()
    script(keys, (1, "x"))  # loaded: the calls below take the fast path
    taken = [script._idle.pop() if script._idle else redis_client().connection_pool.make_connection()]
    taken += [redis_client().connection_pool.make_connection() for _ in range(2)]
    for connection in taken:
        connection.connect()
    for connection in taken:
        script._give_back(connection)
    assert script._idle == taken[:2]  # kept up to the bound
    assert taken[2]._sock is None  # past it: closed
    assert script(keys, (2, "y"))[:2] == [3, 4]  # a kept connection still answers


def test_many_answers_each_call_in_order_in_one_round_trip(keys: list[str]) -> None:
    redis_client().set(keys[0], "zero")
    script = fresh()
    script(keys, (0, "warm"))  # loaded
    sent: list[int] = []
    connection = script._idle[0]
    send = connection.send_packed_command
    connection.send_packed_command = lambda commands: (sent.append(len(commands)), send(commands))
    calls = [(keys[:1], (1, "a")), ([], (2, b"\x00b")), (keys, (3, "ç"))]
    assert script.many(calls) == [script.script(keys=k, args=list(a)) for k, a in calls]
    assert script.many(calls) == [
        [1, 2, b"zero", b"a"],
        [0, 4, b"\x00b"],
        [3, 6, b"zero", None, None, "ç".encode()],
    ]
    assert sent == [3, 3]  # every call of a batch in one send
    assert script._idle == [connection]
    assert script.many([]) == []


def test_many_through_a_server_without_the_script_loads_it(keys: list[str]) -> None:
    script = fresh()
    assert script.many([(keys, (1, "x")), (keys, (2, "y"))]) == [
        [3, 2, None, None, None, b"x"],
        [3, 4, None, None, None, b"y"],
    ]
    assert redis_client().script_exists(script.script.sha)[0]
    assert len(script._idle) == 1  # every reply was read: the connection is kept
    assert script.many([(keys, (5, "z"))])[0][:2] == [3, 10]


def test_many_raises_an_error_reply_after_reading_every_reply(keys: list[str]) -> None:
    from redis.exceptions import ResponseError

    script = fresh("if ARGV[1] == 'boom' then return redis.error_reply('BOOM') end return ARGV[1]")
    script([], ("warm",))
    with pytest.raises(ResponseError, match="BOOM"):
        script.many([([], ("a",)), ([], ("boom",)), ([], ("c",))])
    assert script.many([([], ("d",))]) == [b"d"]  # its own reply, none left over from the batch


def test_many_on_a_connection_the_server_closed_runs_through_the_client(keys: list[str]) -> None:
    script = fresh()
    script(keys, (1, "x"))
    kill(script._idle[0])
    assert [reply[:2] for reply in script.many([(keys, (5, "z")), (keys, (6, "z"))])] == [[3, 10], [3, 12]]
    assert script.many([(keys, (7, "z"))])[0][:2] == [3, 14]  # connected again
