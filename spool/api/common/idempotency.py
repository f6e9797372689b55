"""``Idempotency-Key``: a client that retries a write with the same key within an hour gets the first
answer back instead of a second post (Mastodon does this for ``POST /api/v1/statuses``).

The first answer is kept in the cache (Redis when ``REDIS_URL`` is set, shared by every process; the
in-process cache in the embedded mode, which runs one web process). Keys are per account and hashed. While
the first request is still running, a retry waits for it briefly, then gets a 409; a first request that
fails keeps nothing, so a retry runs again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.cache import cache

from spool.core.errors import Conflict, ValidationError

KEEP = timedelta(hours=1)
MAX_KEY = 200
_PENDING = "pending"
# How long a retry waits for the first request with its key to finish.
WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.05
# A first request that died without cleaning up frees its key after this long.
_PENDING_SECONDS = 60


def _cache_key(scope: str, account_id: int, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"idempotency:{scope}:{account_id}:{digest}"


def once(scope: str, account_id: int, key: str | None, run: Callable[[], Any]) -> Any:
    """``run()``'s result, computed once per (``scope``, account, ``key``) within ``KEEP``; without a key,
    simply ``run()``. The result must be picklable (plain JSON-like data)."""
    if key is None or key == "":
        return run()
    if len(key) > MAX_KEY:
        raise ValidationError(
            f"Validation failed: Idempotency-Key can be at most {MAX_KEY} characters",
            code="invalid",
            field="Idempotency-Key",
        )
    name = _cache_key(scope, account_id, key)
    if cache.add(name, _PENDING, timeout=_PENDING_SECONDS):
        try:
            result = run()
        except BaseException:
            cache.delete(name)
            raise
        cache.set(name, {"result": result}, timeout=int(KEEP.total_seconds()))
        return result
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        stored = cache.get(name)
        if isinstance(stored, dict):
            return stored["result"]
        if stored is None:  # the first request failed meanwhile: this one runs
            return once(scope, account_id, key, run)
        if time.monotonic() >= deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed.", code="idempotency_pending"
            )
        time.sleep(_POLL_SECONDS)
