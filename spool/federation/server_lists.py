"""The stored blocked and allowed servers as the refusal checks read them: a snapshot kept in each process,
so the inbox does not query them on every POST.

A change (a ``DomainBlock`` or ``AllowedServer`` row saved or deleted) drops this process's snapshot at
once and, when it commits, moves a version kept in the shared cache. Other processes keep their snapshot
for at most ``CHECK_EVERY`` seconds; then, with a shared cache (Redis), they read the version (one cache
read) and load the rows again only when it moved; with a per-process cache (locmem, embedded) they load
the rows again (one query per table). Reads inside a transaction that changed a list query the database:
they must see the transaction's own changes, and a snapshot taken there could hold rows that roll back.
Other transactions read the snapshot as autocommit reads do (an inbox batch checks every delivery's server
in one: the ``Accept`` of each ``Follow``); one that loads it reads only committed rows, as any does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from spool.federation.models import AllowedServer, DomainBlock

CHECK_EVERY = 1.0  # seconds a snapshot is used before it is checked (or, embedded, loaded) again
VERSION_KEY = "federation:server-lists:version"


@dataclass(frozen=True)
class Snapshot:
    blocked: frozenset[str]
    allowed: frozenset[str]
    version: str | None  # the shared version it was loaded at (None: the cache is per process)
    checked_at: float


_snapshot: Snapshot | None = None


def connect() -> None:
    """Drop snapshots whenever a stored block or allowed server changes (called from the app's ``ready``)."""
    for model in (DomainBlock, AllowedServer):
        post_save.connect(_changed, sender=model, dispatch_uid=f"server_lists.{model.__name__}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"server_lists.{model.__name__}.delete")


def blocked_in(domains: Iterable[str]) -> set[str]:
    """Those of ``domains`` (exact names) that a ``DomainBlock`` holds."""
    return _stored_in(DomainBlock, domains)


def allowed_in(domains: Iterable[str]) -> set[str]:
    """Those of ``domains`` (exact names) that an ``AllowedServer`` holds."""
    return _stored_in(AllowedServer, domains)


def _stored_in(model: type[DomainBlock] | type[AllowedServer], domains: Iterable[str]) -> set[str]:
    names = set(domains)
    snapshot = _current()
    if snapshot is None:
        return set(model.objects.filter(domain__in=names).values_list("domain", flat=True))
    return names & (snapshot.blocked if model is DomainBlock else snapshot.allowed)


def servers_changed() -> None:
    """Make every process read the stored lists again: this one at once, others within ``CHECK_EVERY``."""
    global _snapshot
    _snapshot = None
    if _shared():
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _changed(**kwargs: Any) -> None:
    global _snapshot
    _snapshot = None  # at once, for this transaction's later reads in this process
    transaction.on_commit(servers_changed)


def _shared() -> bool:
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


def _changed_here() -> bool:
    """Whether the open transaction changed a stored list: its commit is to move the version (``_changed``
    asked for that; a savepoint rolled back takes its changes and that request with it)."""
    return any(hook[1] is servers_changed for hook in connection.run_on_commit)


def _current() -> Snapshot | None:
    """The snapshot to read, loaded or checked again when due; ``None`` inside a transaction that changed
    a stored list."""
    global _snapshot
    if connection.in_atomic_block and _changed_here():
        return None
    now = time.monotonic()
    snapshot = _snapshot
    if snapshot is not None and now - snapshot.checked_at < CHECK_EVERY:
        return snapshot
    version = None
    if _shared():
        # Read before the rows: a change committed in between moves the version again, so it is not missed.
        version = cache.get(VERSION_KEY)
        if version is None:  # never set, or evicted
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
        if snapshot is not None and version is not None and version == snapshot.version:
            _snapshot = replace(snapshot, checked_at=now)
            return _snapshot
    _snapshot = Snapshot(
        blocked=frozenset(DomainBlock.objects.values_list("domain", flat=True)),
        allowed=frozenset(AllowedServer.objects.values_list("domain", flat=True)),
        version=version,
        checked_at=now,
    )
    return _snapshot
