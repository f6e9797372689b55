"""One shared Redis client for the scale-out mode, and :class:`FastScript` for the scripts run most often
(every API request's rate limit; every inbox batch's trending counts)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import Any

import redis
from django.conf import settings
from redis import exceptions

# Connections a FastScript keeps between calls: one per thread calling it at once is all it needs; more are
# closed when given back.
IDLE_MAX = 64


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.SPOOL.redis_url)


class FastScript:
    """A Lua script run by ``EVALSHA`` the shortest way redis-py allows: the command's bytes packed here
    (the script's SHA written once), sent on a connection of this object's own and its reply read by that
    connection's parser (the client's RESP version, timeouts and error replies), without the client's
    command machinery (argument encoding, pool checkout with its readiness poll, retry wrapper, response
    callbacks, metrics): about 25 µs of CPU a call where ``Script.__call__`` takes about 65.

    Anything out of the ordinary goes to redis-py's own :class:`redis.commands.core.Script` instead, which
    behaves as before: a server without the script (``NOSCRIPT``: restarted, flushed) has it loaded and run
    again; a connection that failed (closed, timed out) is closed and the call made again through the
    client's pool with the client's retries. Other error replies are raised. A connection whose call was
    cut short (an exception while its reply was unread) is closed, so no reply is ever left for the next
    call to read; closed connections connect again when next used. A forked child never uses its parent's
    connections."""

    def __init__(self, client: redis.Redis, source: str) -> None:
        self.client = client
        self.script = client.register_script(source)
        self._head = b"\r\n$7\r\nEVALSHA\r\n$40\r\n" + self.script.sha.encode() + b"\r\n"
        self._encoding = client.get_encoder().encoding
        self._idle: list[Any] = []  # connections not in use (list.pop/append: atomic, any thread)
        self._pid = os.getpid()

    def __call__(self, keys: Sequence[str], args: Sequence[int | str | bytes] = ()) -> Any:
        command = self.pack(keys, args)
        connection = self._take()
        try:
            connection.send_packed_command((command,))
            reply = connection.read_response()
        except exceptions.NoScriptError:  # a whole reply was read: the connection is ready for the next call
            self._give_back(connection)
            return self.script(keys=keys, args=args)  # loads the script, runs it again
        except exceptions.ResponseError:
            self._give_back(connection)
            raise
        except (exceptions.ConnectionError, exceptions.TimeoutError):
            connection.disconnect()
            self._give_back(connection)
            return self.script(keys=keys, args=args)  # through the client, with its retries
        except BaseException:
            connection.disconnect()  # its reply may still be on the way
            self._give_back(connection)
            raise
        self._give_back(connection)
        return reply

    def many(self, calls: Sequence[tuple[Sequence[str], Sequence[int | str | bytes]]]) -> list[Any]:
        """Run the script once per ``(keys, args)`` of ``calls``, in order, all sent at once (one round trip,
        as a pipeline would make, without redis-py's pipeline machinery: its ``SCRIPT EXISTS`` round trip
        before every run and its packing of each command); the replies in the same order. Every reply is
        read before the connection is given back. Calls that met ``NOSCRIPT`` are run again, alone, by
        redis-py's :class:`~redis.commands.core.Script` (which loads it); an error reply is raised once all
        replies are read. A connection that failed is closed and every call made again through the client
        (with its retries): the script must be one that may run twice (a marker it sets, as a retried task
        would need anyway)."""
        if not calls:
            return []
        commands = [self.pack(keys, args) for keys, args in calls]
        connection = self._take()
        replies: list[Any] = []
        try:
            connection.send_packed_command(commands)
            for _ in commands:
                try:
                    replies.append(connection.read_response())
                except exceptions.ResponseError as exc:  # a whole reply was read: go on with the next
                    replies.append(exc)
        except (exceptions.ConnectionError, exceptions.TimeoutError):
            connection.disconnect()
            self._give_back(connection)
            return [self.script(keys=keys, args=args) for keys, args in calls]
        except BaseException:
            connection.disconnect()  # replies may still be on the way
            self._give_back(connection)
            raise
        self._give_back(connection)
        for index, reply in enumerate(replies):
            if isinstance(reply, exceptions.NoScriptError):
                keys, args = calls[index]
                replies[index] = self.script(keys=keys, args=args)  # loads the script, runs it again
            elif isinstance(reply, exceptions.ResponseError):
                raise reply
        return replies

    def pack(self, keys: Sequence[str], args: Sequence[int | str | bytes]) -> bytes:
        """``EVALSHA sha len(keys) *keys *args`` in the Redis protocol."""
        encoding = self._encoding
        nkeys = str(len(keys)).encode()
        parts = [b"*%d" % (3 + len(keys) + len(args)), self._head, b"$%d\r\n%s\r\n" % (len(nkeys), nkeys)]
        for item in (*keys, *args):
            data = item if isinstance(item, bytes) else str(item).encode(encoding)
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(parts)

    def _take(self) -> Any:
        """An idle connection of this object's, or a new one (not yet connected)."""
        if self._pid != os.getpid():  # forked: the parent's sockets are not this process's to use
            self._idle, self._pid = [], os.getpid()
        try:
            return self._idle.pop()
        except IndexError:
            return self.client.connection_pool.make_connection()

    def _give_back(self, connection: Any) -> None:
        if len(self._idle) < IDLE_MAX:
            self._idle.append(connection)
        else:
            connection.disconnect()
