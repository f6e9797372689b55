"""What a live bearer token stands for, remembered between requests: :class:`Credential` (token, person,
application, scopes, expiry) by the token's digest, so an API request authenticates without a query.

Every remembered credential carries the *generation* it was read under; anything that can end a token
(revocation, a password change, deactivation, suspension, deletion) calls :func:`forget_all`, which starts
a new generation, so every process refuses the old entries on its very next lookup and reads the token
again. One generation for everything keeps invalidation simple and impossible to miss for one token among
many; such events are rare next to reads. The generation is read *before* the database, so an entry read
while a revocation commits carries the old generation and is never used.

Where it lives: with ``REDIS_URL``, in Redis (one ``MGET`` of the generation and the entry, shared by every
process); embedded, in this process's memory, the generation being the size and time of a stamp file
(``TOKEN_GENERATION_FILE``, in the data directory) that :func:`forget_all` appends to (one ``stat``, seen
by every process on the machine: the server's workers, the Celery worker, management commands).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction

ENTRY_TTL = 3600  # seconds a Redis entry is kept without use
LOCAL_MAX = 20_000  # entries kept in this process before it starts afresh


@dataclass(frozen=True, slots=True)
class Credential:
    token_id: int
    account_id: int | None
    application_id: int
    scopes: frozenset[str]
    expires_at: float | None  # epoch seconds


def lookup(digest: str) -> tuple[Credential | None, Any]:
    """The remembered, unexpired credential for ``digest`` (or None) and the current generation, which
    :func:`remember` needs."""
    if settings.SPOOL.redis_url:
        return _from_redis(_redis().mget([_gen_key(), _key(digest)]))
    generation = _stamp()
    entry = _LOCAL.get(digest)
    found = entry[1] if entry is not None and entry[0] == generation else None
    return _unexpired(found), generation


class Prefetch:
    """:func:`lookup` of one digest sent along with another Redis round trip of the same request (the API's
    rate-limit counter): ``keys`` are the keys to read there, ``take`` gets their values, and
    :attr:`result` is then what :func:`lookup` would have returned. Embedded, nothing is prefetched.
    ``secret``: the bearer string ``digest`` was made from, when known (the request's authentication then
    does not hash it again)."""

    __slots__ = ("digest", "result", "secret")

    def __init__(self, digest: str, secret: str | None = None) -> None:
        self.digest = digest
        self.secret = secret
        self.result: tuple[Credential | None, Any] | None = None

    def keys(self) -> list[str]:
        return [_gen_key(), _key(self.digest)]

    def take(self, values: list[bytes | None]) -> None:
        self.result = _from_redis(values)


def _from_redis(reply: list[bytes | None]) -> tuple[Credential | None, Any]:
    generation, raw = reply
    generation = generation or b"0"
    return _unexpired(_decode(raw, generation) if raw else None), generation


def _unexpired(found: Credential | None) -> Credential | None:
    if found is not None and found.expires_at is not None and found.expires_at <= time.time():
        return None
    return found


def remember(digest: str, credential: Credential, generation: Any) -> None:
    if settings.SPOOL.redis_url:
        c = credential
        value = [generation.decode(), c.token_id, c.account_id, c.application_id, " ".join(c.scopes)]
        _redis().set(_key(digest), orjson.dumps([*value, c.expires_at]), ex=ENTRY_TTL)
        return
    if len(_LOCAL) >= LOCAL_MAX:
        _LOCAL.clear()
    _LOCAL[digest] = (generation, credential)


def forget_all() -> None:
    """Start a new generation now and again when the current transaction commits (so a request that read
    the token between the two cannot keep what it read)."""
    new_generation()
    transaction.on_commit(new_generation)


def new_generation() -> None:
    if settings.SPOOL.redis_url:
        _redis().incr(_gen_key())
        return
    with _STAMP_LOCK, open(_stamp_path(), "ab") as stamp:
        stamp.write(b".")
    _LOCAL.clear()


# --- Storage ----------------------------------------------------------------------------------------------

_LOCAL: dict[str, tuple[Any, Credential]] = {}
_STAMP_LOCK = threading.Lock()


def _stamp_path() -> str:
    return str(settings.TOKEN_GENERATION_FILE)


def _stamp() -> tuple[int, int]:
    try:
        found = os.stat(_stamp_path())
    except FileNotFoundError:
        return (0, 0)
    return (found.st_size, found.st_mtime_ns)


def _redis() -> Any:
    from spool.core.redis import redis_client

    return redis_client()


def _gen_key() -> str:
    return f"{settings.KEY_PREFIX}:cred:gen"


def _key(digest: str) -> str:
    return f"{settings.KEY_PREFIX}:cred:{digest}"


def _decode(raw: bytes, generation: bytes) -> Credential | None:
    gen, token_id, account_id, application_id, scopes, expires_at = orjson.loads(raw)
    if gen.encode() != generation:
        return None
    return Credential(token_id, account_id, application_id, frozenset(scopes.split()), expires_at)
