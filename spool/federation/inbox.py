"""Receiving activities: check, store, answer 202, process later (durably, once per activity id).

:func:`receive` runs in the request: it refuses blocked servers before reading the body, oversized bodies,
bad signatures (401, nothing stored), and malformed or mismatched activities (400); then stores an
``InboxItem`` keyed by the activity id — a second delivery of the same id stores nothing — and asks for a
drain after commit (:mod:`spool.federation.drain` coalesces those requests: one task drains many items).

:func:`drain` claims fresh items in batches, one partition of the actors at a time (two workers drain
side by side, one actor's items in order), and :func:`process_batch` applies a batch in a few
transactions, each item's verb handler under
:func:`~spool.federation.context.remote_activity` (a transaction with a failing item is applied again with
a savepoint per item, so that item rolls back alone), the follow-up tasks the batch causes sent as batches too
(:mod:`spool.core.batching`). A failure that may pass
(the other server was down) leaves the item pending for ``retry_deliveries`` with backoff
(:func:`process_item`), up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, Field, IntegerField, JSONField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from spool.core import counters, savepoints
from spool.core.batching import batched_tasks
from spool.core.busy import is_busy
from spool.core.compiled import compiled, id_list, ids_param, native_sql
from spool.core.inserts import numbered
from spool.core.snowflake import next_id
from spool.federation.actors import account_for_actor, lookup_key
from spool.federation.context import remote_activity
from spool.federation.drain import request_drain
from spool.federation.fetch import RemoteError
from spool.federation.inbound import dispatch
from spool.federation.models import InboxItem, RemoteActor
from spool.federation.objects import note_new_posts
from spool.federation.policy import domain_of, is_blocked_domain
from spool.federation.remembered import forget, remembering
from spool.federation.signatures import SignatureError, parse_signature, verify_request
from spool.federation.vocab import id_of
from spool.identities.models import Account

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 100  # items applied in one transaction
DRAIN_SECONDS = 5.0  # one drain task's turn before it hands the worker back
DRAIN_LOCK = 0x5F00_1B0C  # PostgreSQL advisory lock keys DRAIN_LOCK + partition, held while applying items
DEADLOCK_TRIES = 3  # applying a segment that PostgreSQL rolled back to end a deadlock
PARTITIONS = 8  # of the actors, by a hash of their URI (divides 256: see _partition)
LOOK_AHEAD = 256  # fresh items a look for waiting partitions reads first (see taken_by_drains)
# Activities that change the actor's own account: later items of the batch look the account up again.
CHANGES_ACTOR = frozenset({"Delete", "Update", "Move"})
# Activities that may remove or change what earlier items of the batch found (posts, accounts, follows):
# the batch's remembered lookups are forgotten after them (:mod:`spool.federation.remembered`).
CHANGES_FOUND = CHANGES_ACTOR | {"Block", "Reject"}
# Activities that lock local people's rows (follow edges and their counters): a batch commits after each.
LOCKS_PEOPLE = CHANGES_FOUND | {"Follow", "Undo", "Accept"}
# What an ``Undo`` of these (inline: its object's type) changes is a like or repost and the post's counter
# (summed to the commit), no person's row: it ends no segment. Undoing a Follow or Block, or an activity
# named only by its id, does.
UNDOES_NO_PEOPLE = frozenset({"Like", "EmojiReact", "EmojiReaction", "Announce"})


@dataclass(frozen=True)
class Refusal(Exception):
    status: int
    code: str
    message: str


def receive(method: str, path: str, headers: dict[str, str], read_body: Any) -> InboxItem | None:
    """Check and store one inbox POST; returns the stored item (``None`` when it was a repeat).
    ``read_body(limit)`` returns at most ``limit`` + 1 bytes of the body. Raises :class:`Refusal`."""
    config = settings.SPOOL
    if not config.federation_enabled:
        raise Refusal(404, "federation_off", "Federation is switched off on this server.")
    key_id = parse_signature(headers.get("signature", "")).get("keyId", "")
    if key_id and is_blocked_domain(_server_of(key_id)):
        raise Refusal(403, "blocked_domain", "This server does not accept activities from yours.")
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > config.federation_max_body_bytes:
        raise Refusal(413, "too_large", "The activity is too large.")
    body = read_body(config.federation_max_body_bytes)
    if len(body) > config.federation_max_body_bytes:
        raise Refusal(413, "too_large", "The activity is too large.")
    try:
        verified = verify_request(method, path, headers, body, lookup_key)
    except SignatureError as exc:
        raise Refusal(401, exc.code, str(exc)) from exc
    try:
        activity = json.loads(body)
    except ValueError as exc:
        raise Refusal(400, "bad_json", "The body is not JSON.") from exc
    if not isinstance(activity, dict):
        raise Refusal(400, "bad_activity", "The body is not an activity.")
    activity_id, actor_uri = id_of(activity.get("id")), id_of(activity.get("actor"))
    if not activity_id or not isinstance(activity.get("type"), str) or not actor_uri:
        raise Refusal(400, "bad_activity", "An activity needs an id, a type and an actor.")
    if actor_uri != verified.owner:
        raise Refusal(401, "actor_mismatch", "The activity's actor is not the key's owner.")
    # An id on another server than the actor's is kept apart (prefixed by the actor), so nobody can
    # occupy an id that another server will use and have its real activity dropped as a repeat.
    key = activity_id if domain_of(activity_id) == _server_of(actor_uri) else f"{actor_uri} {activity_id}"
    item = InboxItem(
        id=next_id(),
        activity_id=key[:2000],
        activity_type=str(activity["type"])[:40],
        actor_uri=actor_uri[:2000],
        body=activity,
        received_at=timezone.now(),
    )
    if not _store_new(item, _json_text(body)):
        return None  # already received: processed (or being processed) once
    transaction.on_commit(functools.partial(request_drain, item.id, item.actor_uri))
    return item


@functools.lru_cache(maxsize=4096)
def _server_of(uri: str) -> str:
    """:func:`domain_of` for the URIs every POST of a sender repeats (its key and actor ids)."""
    return domain_of(uri)


def _json_text(body: bytes) -> str | None:
    """The body as the text to store for the parsed activity, when it is UTF-8 JSON text of an object
    (what every server sends): stored as received rather than serialised again from the parsed value, which
    was a twentieth of an accept's CPU. ``None`` (serialise) for anything else ``json.loads`` takes, such
    as UTF-16 or a byte-order mark."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None
    return text if text.lstrip(" \t\r\n").startswith("{") else None


def _store_new(item: InboxItem, body_text: str | None = None) -> bool:
    """Insert ``item`` unless an item with its ``activity_id`` exists; whether it was inserted.
    ``body_text``: ``item.body`` as JSON text, stored as it is (:func:`_json_text`).

    One statement (``INSERT … ON CONFLICT DO NOTHING RETURNING``), committed on its own outside a
    transaction: ``objects.create`` in a savepoint, catching the repeat's ``IntegrityError``, took three
    round trips (``BEGIN``, ``INSERT``, ``COMMIT``) and most of the accept's ORM time. When nothing was
    inserted and no item has the activity id, the snowflake id was the one taken, so the item is stored
    under a new id rather than pass for a repeat (node numbers rule such clashes out between live
    processes since; this stays as the guard)."""
    for _ in range(3):
        values = [
            body_text if body_text is not None and field.name == "body"
            else field.get_db_prep_save(value, connection) if adapt
            else value
            for (field, adapt), value in zip(_stored(), _values(item), strict=True)
        ]  # fmt: skip
        if _insert(values):
            return True
        if InboxItem.objects.filter(activity_id=item.activity_id).exists():
            return False
        item.id = next_id()
    raise IntegrityError("No free id for an inbox item after three tries.")


def _insert(values: list[Any], db: BaseDatabaseWrapper = connection) -> bool:
    """Run :func:`_insert_sql` with ``values`` on ``db``; whether it stored a row. On SQLite, a busy
    database is waited for in short polls (:data:`SQLITE_POLL_MS`), one insert of this process at a time
    (:data:`_SQLITE_WRITER`), rather than in SQLite's busy handler, whose sleeps grow to 100 ms: while the
    worker held the write lock for a batch, every request thread (up to 32) slept there, each trying the
    lock on its own and waking up to 100 ms after it was free (accept p99 1.4 s). An insert that finds the
    database free takes no turn (taking turns for every insert capped the accepts: the one holding the turn
    waits for the interpreter's lock between its statements). The wait (the first try, the turn and the
    polls) ends, as before, after the connection's own timeout (``OPTIONS["timeout"]``): the busy error
    then answers 503."""
    sql = _insert_sql(db.vendor)
    if db.vendor != "sqlite":
        return _execute_insert(db, sql, values)
    full_ms = int(float(db.settings_dict["OPTIONS"].get("timeout", 5.0)) * 1000)
    deadline = time.monotonic() + full_ms / 1000
    db.ensure_connection()
    raw = db.connection
    raw.execute(f"PRAGMA busy_timeout = {SQLITE_POLL_MS}")
    try:
        try:
            return _execute_insert(db, sql, values)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
        # Busy: wait in turn, no request longer than the timeout in all.
        if not _SQLITE_WRITER.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise OperationalError("database is locked (other inserts of this process waited all along)")
        try:
            while True:
                try:
                    return _execute_insert(db, sql, values)
                except OperationalError as exc:
                    if not is_busy(exc) or time.monotonic() >= deadline:
                        raise
        finally:
            _SQLITE_WRITER.release()
    finally:
        raw.execute(f"PRAGMA busy_timeout = {full_ms}")


def _execute_insert(db: BaseDatabaseWrapper, sql: str, values: list[Any]) -> bool:
    # The statement (and, in autocommit, its commit) ends when the cursor closes.
    if hasattr(db, "native_cursor"):
        # PostgreSQL: the values bound server-side and the statement prepared after a few runs. Django's
        # cursor wrote every value into the SQL (the body quoted character by character in Python), and
        # the server parsed and planned that text anew for each activity.
        with db.native_cursor() as cursor:
            cursor.execute(numbered(sql), values)
            return cursor.fetchone() is not None
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() is not None


# One SQLite inbox insert of this process at a time waits for a busy database (see :func:`_insert`).
_SQLITE_WRITER = threading.Lock()
SQLITE_POLL_MS = 5  # SQLite's busy handler sleeps 1, 2, 2 ms, then the insert is tried again


@functools.cache
def _stored() -> tuple[tuple[Field[Any, Any], bool], ...]:
    """The columns a new item is stored with: all but ``processed_at`` (null until it is processed), each
    with whether its value needs Django's conversion for the database. :func:`receive` builds the item's
    integers and strings itself, so only the JSON body and the time are converted (the conversion of every
    field was a twentieth of an accept's CPU)."""
    return tuple(
        (field, isinstance(field, (JSONField, DateTimeField)))
        for field in InboxItem._meta.concrete_fields
        if field.name != "processed_at"
    )


def _values(item: InboxItem) -> list[Any]:
    return [getattr(item, field.attname) for field, _ in _stored()]


@functools.cache
def _insert_sql(vendor: str) -> str:
    """The statement of :func:`_store_new` for the connection's database ``vendor``."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field, _ in _stored())
    table = quote(InboxItem._meta.db_table)
    # The body may be JSON text (:func:`_json_text`): PostgreSQL is told it is jsonb.
    cast = "::jsonb" if vendor == "postgresql" else ""
    placeholders = ", ".join(f"%s{cast}" if field.name == "body" else "%s" for field, _ in _stored())
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (our names)
        "ON CONFLICT DO NOTHING RETURNING 1"  # the activity id or, rarely, the snowflake id taken
    )


# Where this process's next drain starts (set on its first drain: worker processes fork after import):
# the pid keeps two workers apart.
_first: int | None = None


def drain(budget_seconds: float = DRAIN_SECONDS) -> int:
    """Process fresh pending items (never tried yet) in batches of ``BATCH``, partition by partition
    (:func:`_partition`), until none is left or ``budget_seconds`` have passed (then another drain is asked
    for, so other tasks get the worker in between); returns how many were processed. Two workers drain
    side by side, each partition in one process at a time: a partition held by another drain is left to
    it."""
    global _first
    if _first is None:
        _first = os.getpid() % PARTITIONS
    started, total = time.monotonic(), 0
    waiting = _partitions_waiting()
    for part in [(_first + n) % PARTITIONS for n in range(PARTITIONS)]:
        if part not in waiting:
            continue
        done, out_of_time = _drain_partition(part, started + budget_seconds)
        total += done
        if out_of_time:
            _first = part + 1  # the next drain of this process goes on from the next partition
            request_drain()  # once the lock is free, so the next drain can take it
            return total
    return total


def _partitions_waiting() -> set[int]:
    """The partitions that hold fresh items: a drain visits only those. Two workers and two server
    processes ask for drains many times a second, most of them finding little or nothing to do;
    trying each partition's lock, claiming from it and looking again cost four statements per partition
    and drain. An item stored after this look asks for a drain of its own (:func:`receive`).

    On PostgreSQL the ``LOOK_AHEAD`` oldest fresh items are read first: under load they name every
    partition, and grouping all fresh items by partition read the whole backlog (thousands of rows, each
    hashed). Only when they name fewer partitions and there are more items is the whole backlog grouped."""
    fresh = InboxItem.objects.filter(state=InboxItem.State.PENDING, attempts=0)
    if connection.vendor != "postgresql":
        return {0} if fresh.exists() else set()
    by_partition = fresh.annotate(partition=_partition_sql()).order_by()
    oldest = list(by_partition.order_by("id").values_list("partition", flat=True)[:LOOK_AHEAD])
    if len(oldest) < LOOK_AHEAD or len(set(oldest)) == PARTITIONS:
        return set(oldest)
    return set(by_partition.values_list("partition", flat=True).distinct())


def _drain_partition(part: int, deadline: float) -> tuple[int, bool]:
    """Apply partition ``part``'s fresh items while this process holds its lock; returns how many and
    whether the time ran out."""
    total, fresh = 0, _in_partition(InboxItem.objects.filter(state=InboxItem.State.PENDING, attempts=0), part)
    while True:
        with _partition_lock(part) as mine:
            if not mine:
                return total, False  # the drain holding it looks again once it has let go (below)
            while ids := _claim(fresh, BATCH):
                total += len(process_batch(ids))
                if time.monotonic() > deadline:
                    return total, True
                if len(ids) < BATCH:
                    # The partition held no other fresh item at the claim: one more claim would read the
                    # whole backlog of the other partitions to find nothing. Items stored since are found
                    # by the look below.
                    break
        # A drain refused while this one held the lock, or a request that counted on it (it held the lock:
        # :func:`taken_by_drains`), left its items here: look once more.
        if not fresh.exists():
            return total, False


def process_item(item_id: int) -> str:
    """Apply one stored activity (idempotent: only a pending item is processed); the retry path. Waits
    for the next retry (``"busy"``) while a drain holds the item's partition."""
    actor_uri = InboxItem.objects.filter(id=item_id).values_list("actor_uri", flat=True).first()
    if actor_uri is None:
        return "skipped"
    part = _partition(actor_uri)
    with _partition_lock(part) as mine:
        if not mine:
            return "busy"
        ids = _claim(InboxItem.objects.filter(id=item_id, state=InboxItem.State.PENDING), 1)
        outcome = process_batch(ids).get(item_id, "skipped") if ids else "skipped"
    # Drain requests made while this retry held the partition counted on a drain holding it
    # (:func:`taken_by_drains`), which would have looked again once it let go: this one does not drain.
    fresh = InboxItem.objects.filter(state=InboxItem.State.PENDING, attempts=0)
    if connection.vendor == "postgresql" and _in_partition(fresh, part).exists():
        request_drain()
    return outcome


@functools.lru_cache(maxsize=4096)  # asked on every accepted POST: the same senders again and again
def _partition(actor_uri: str) -> int:
    """The partition of an actor's items: the first byte of the MD5 of its URI (what
    :func:`_in_partition` computes in SQL), modulo ``PARTITIONS``."""
    return hashlib.md5(actor_uri.encode(), usedforsecurity=False).digest()[0] % PARTITIONS


def partition_of(actor_uri: str) -> int:
    """The partition a drain takes an actor's items in on this database (SQLite has one: 0)."""
    return _partition(actor_uri) if connection.vendor == "postgresql" else 0


def taken_by_drains(before: int) -> dict[int, int]:
    """By partition, an id past which a fresh item (never tried) of that partition is taken by a drain due
    or under way (for :mod:`spool.federation.drain`, which sends no drain for such an item), in one
    statement: a fresh item older than ``before`` (the drain that takes it loops until its partition holds
    no fresh item), or 0 where a drain holds the partition's lock now (PostgreSQL: it looks once more after
    letting go, :func:`_drain_partition`; a retry that held it asks for a drain, :func:`process_item`).

    On PostgreSQL only the ``LOOK_AHEAD`` fresh items just older than ``before`` are read, newest first
    (where the items of every partition still waiting for its drain are): grouping every fresh item by
    partition read the whole backlog (thousands of rows under load, each hashed) on every look, up to twenty
    times a second per server process. A partition missing from the answer may hold an older item further
    back; the caller then sends a drain, which is always safe."""
    if connection.vendor != "postgresql":
        fresh = InboxItem.objects.filter(state=InboxItem.State.PENDING, attempts=0, id__lt=before)
        first = fresh.order_by("id").values_list("id", flat=True).first()
        return {} if first is None else {0: first}
    with connection.native_cursor() as cursor:  # type: ignore[attr-defined]  # spool.core.postgres_backend
        cursor.execute(_taken_sql(LOOK_AHEAD), [before])
        taken: dict[int, int] = {}
        for part, item_id in cursor.fetchall():
            taken[part] = min(item_id, taken.get(part, item_id))
    return taken


_BEFORE = 2**62 + 0x5F00  # where ``before`` lands among the compiled statement's parameters


@functools.cache
def _taken_sql(look_ahead: int) -> str:
    """:func:`taken_by_drains`' statement on PostgreSQL reading ``look_ahead`` items (``LOOK_AHEAD``),
    ``before`` as its one parameter (``$1``), the rest
    written in: compiled once per process (Django compiled the queryset on every look, a seventh of the
    CPU of a server's threads besides the requests'), and prepared by the server after a few looks."""
    fresh = InboxItem.objects.filter(state=InboxItem.State.PENDING, attempts=0, id__lt=_BEFORE)
    latest = fresh.annotate(partition=_partition_sql()).order_by("-id").values_list("partition", "id")
    select, params = latest[:look_ahead].query.sql_with_params()
    # A bigint advisory lock key shows as classid (its high half: 0 here) and objid (its low half).
    held = (
        "SELECT objid::bigint - %s, 0 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        " AND classid = 0 AND objid::bigint >= %s AND objid::bigint < %s"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    values = [*params, DRAIN_LOCK, DRAIN_LOCK, DRAIN_LOCK + PARTITIONS]
    return native_sql(connection, f"({select}) UNION ALL ({held})", values, values.index(_BEFORE))


def _in_partition(items: QuerySet[InboxItem], part: int) -> QuerySet[InboxItem]:
    """``items`` of partition ``part`` (all of them where there is one partition: SQLite)."""
    if connection.vendor != "postgresql":
        return items
    return items.alias(partition=_partition_sql()).filter(partition=part)


def _partition_sql() -> RawSQL:
    """:func:`_partition` in SQL (PostgreSQL)."""
    return RawSQL("get_byte(decode(md5(actor_uri), 'hex'), 0) %% %s", [PARTITIONS], IntegerField())


@contextmanager
def _partition_lock(part: int) -> Iterator[bool]:
    """Whether this process may apply partition ``part``'s items now. On PostgreSQL one process at a time
    holds a partition (an advisory lock), so one actor's activities apply in the order they arrived,
    across batches too (an ``Undo`` after its ``Like``, a ``Delete`` after its ``Create``), while other
    partitions apply in another process. Activities of different actors may apply out of arrival order,
    as they may arrive out of order from their servers. SQLite takes one writer at a time anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = DRAIN_LOCK + part
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        mine = bool(cursor.fetchone()[0])
    held_on = connection.connection  # the session that holds the lock
    try:
        yield mine
    finally:
        if mine and connection.connection is held_on:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        elif mine and held_on is not None and not held_on.closed:
            # The connection went back to the pool meanwhile (``close_old_connections`` run by code inside
            # the block): its session still holds the lock.
            held_on.execute("SELECT pg_advisory_unlock(%s)", [key])


def _claim(pending: QuerySet[InboxItem], limit: int) -> list[int]:
    """Count an attempt on up to ``limit`` pending items, oldest first, and return their ids (in order).
    Committed before they are processed, so an item that kills its worker is not retried forever
    (``MAX_ATTEMPTS``); rows being claimed elsewhere (a retry) are skipped. One statement, ``UPDATE … WHERE
    id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id`` (SQLite leaves out the ``FOR UPDATE``: it
    takes one writer at a time), instead of a transaction of four round trips."""
    chosen = pending.order_by("id").values("id")[:limit]
    select, params = chosen.query.sql_with_params()
    if connection.vendor == "postgresql":
        select += " FOR UPDATE SKIP LOCKED"
    table = connection.ops.quote_name(InboxItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET attempts = attempts + 1 WHERE id IN ({select}) RETURNING id",  # noqa: S608
            params,
        )
        return sorted(row[0] for row in cursor.fetchall())


def process_batch(ids: list[int]) -> dict[int, str]:
    """Apply the claimed items ``ids`` in id order: a failing item rolls back alone (:func:`_apply_segment`)
    and is left pending (or failed) while the others are done; a transaction that fails whole leaves its
    items pending (or failed), its error recorded on each. The items run in a few
    transactions (:func:`_segments`); each item's row is locked and re-checked as pending in the same
    transaction that applies it, so an item is applied once even when a retry races a drain; an activity
    sees the ones before it in the batch (a ``Like`` of a post created just before). Counters the items
    bump are summed and applied just before each commit (:mod:`spool.core.counters`). Returns item id →
    outcome state."""
    outcomes: dict[int, str] = {}
    with batched_tasks(), remote_activity(), remembering():
        heads = list(
            InboxItem.objects.filter(id__in=ids, state=InboxItem.State.PENDING)
            .order_by("id")
            .values_list("id", "actor_uri", "activity_type", "body__object__type")
        )
        actors = _known_actors({uri for _, uri, _, _ in heads})
        for segment in _segments(heads):
            try:
                outcomes.update(_apply_segment_retrying(segment, actors))
            except Exception as exc:
                # The segment rolled back whole: its items are retried with backoff like one that failed
                # alone, the error recorded on each (and given up after ``MAX_ATTEMPTS``).
                forget()
                actors.clear()
                log.exception("inbox items %s failed together", segment)
                outcomes.update(_failed_together(segment, f"{type(exc).__name__}: {exc}"))
    return outcomes


def _segments(heads: list[tuple[int, str, str, Any]]) -> Iterator[list[int]]:
    """The batch's item ids cut after each activity that locks people's rows (``LOCKS_PEOPLE``, less an
    ``Undo`` of a like or repost: ``UNDOES_NO_PEOPLE``): those rows are then held until a commit that
    comes right after, not until the end of the batch, so the other worker's batch that follows the same
    person waits milliseconds. ``heads``: (id, actor, type, the type of an inline object). SQLite takes
    one writer at a time anyway: the batch is one transaction there."""
    if connection.vendor != "postgresql":
        yield [item_id for item_id, _, _, _ in heads]
        return
    segment: list[int] = []
    for item_id, _, activity_type, object_type in heads:
        segment.append(item_id)
        undoes_no_people = activity_type == "Undo" and str(object_type) in UNDOES_NO_PEOPLE
        if activity_type in LOCKS_PEOPLE and not undoes_no_people:
            yield segment
            segment = []
    if segment:
        yield segment


def _apply_segment_retrying(ids: list[int], actors: dict[str, Account]) -> dict[int, str]:
    """:func:`_apply_segment`, again (up to ``DEADLOCK_TRIES`` in all) when PostgreSQL chose it as a
    deadlock's victim: it rolled back whole, and the other transaction has gone on."""
    for tries in range(1, DEADLOCK_TRIES + 1):
        try:
            try:
                return _apply_segment(ids, actors, guarded=False)
            except _Unguarded:
                forget()
                actors.clear()
                return _apply_segment(ids, actors, guarded=True)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "40P01" or tries == DEADLOCK_TRIES:
                raise
            forget()
            actors.clear()
            log.warning("inbox items %s: deadlock, applying them again", ids)
    raise AssertionError("unreachable")


class _Unguarded(Exception):
    """An item of a segment applied without savepoints raised: the segment is applied again, with them."""


def _apply_segment(ids: list[int], actors: dict[str, Account], *, guarded: bool) -> dict[int, str]:
    """Apply the items ``ids`` in one transaction. ``guarded``: each in a savepoint, so that one that
    raises rolls back alone and is recorded as failed. Unguarded, the first item that raises rolls the
    whole segment back (:class:`_Unguarded`) and the caller applies it again guarded. Items rarely fail,
    and a savepoint costs two statements per item (``SAVEPOINT``, ``RELEASE``), about a tenth of a simple
    activity's; a segment with a failing item pays for its other items twice (remote documents they
    fetched included: what the first pass stored was rolled back)."""
    outcomes: dict[int, str] = {}
    # Unguarded, the services' own savepoints protect nothing either: left out (:mod:`spool.core.savepoints`).
    elide = contextlib.nullcontext() if guarded else savepoints.elided()
    with transaction.atomic(), counters.deferring(), elide:
        items = cast(list[InboxItem], _SEGMENT_ITEMS.models(ids=ids))
        # The notes of the segment's Creates, looked for at once: nearly all are new, and each then needs
        # no query of its own to find that out.
        note_new_posts([id_of(item.body.get("object")) for item in items if item.activity_type == "Create"])
        finished: dict[tuple[str, str], list[int]] = defaultdict(list)
        for item in items:
            try:
                with counters.scope(), transaction.atomic(savepoint=guarded):
                    actor = actors.get(item.actor_uri) or account_for_actor(item.actor_uri)
                    actors[item.actor_uri] = actor
                    outcome = dispatch(item.body, actor)
                    if not guarded and connection.needs_rollback:
                        # A service failed without a savepoint and the handler took it as an answer
                        # (``ignored: …``): what it wrote is not undone until the transaction is.
                        raise _Unguarded
                if item.activity_type in CHANGES_ACTOR:
                    actors.pop(item.actor_uri, None)
                if item.activity_type in CHANGES_FOUND:
                    forget()
            except Exception as exc:
                if not guarded:
                    raise _Unguarded from exc
                forget()
                actors.pop(item.actor_uri, None)  # it may have been created in the rolled-back savepoint
                if isinstance(exc, RemoteError):
                    error = f"{exc.code}: {exc}"
                else:
                    log.exception("inbox item %s (%s) failed", item.id, item.activity_type)
                    error = f"{type(exc).__name__}: {exc}"
                outcomes[item.id] = _failed(item, error)
                continue
            ended = InboxItem.State.IGNORED if outcome.startswith("ignored") else InboxItem.State.DONE
            finished[(ended, outcome[:500])].append(item.id)
            outcomes[item.id] = ended
        now = timezone.now()
        for (state, error), done in finished.items():
            _finish(done, state, error, now)
    return outcomes


# A segment's items, locked and re-checked as pending: read for every segment (a Follow is one), so
# compiled once per process (:mod:`spool.core.compiled`; building the queryset cost more than running it).
_SEGMENT_ITEMS = compiled(
    lambda ids: (
        InboxItem.objects.select_for_update()
        .filter(id__in=id_list(ids), state=InboxItem.State.PENDING)
        .order_by("id")
    ),
    lists=("ids",),
)


def _finish(ids: list[int], state: str, error: str, now: datetime) -> None:
    """``filter(id__in=ids).update(state=…, processed_at=now, error=…)``, written out once per process (for
    every segment, as :data:`_SEGMENT_ITEMS`)."""
    processed_at = InboxItem._meta.get_field("processed_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(_finish_sql(connection.vendor), [state, processed_at, error, ids_param(ids)])


@functools.cache
def _finish_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = InboxItem._meta
    state, processed_at, error, pk = (
        quote(meta.get_field(name).column)  # type: ignore[union-attr,arg-type]
        for name in ("state", "processed_at", "error", "id")
    )
    ids = "SELECT unnest(%s::bigint[])" if vendor == "postgresql" else "SELECT value FROM json_each(%s)"
    sets = f"{state} = %s, {processed_at} = %s, {error} = %s"
    return f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {pk} IN ({ids})"  # noqa: S608 - our names


def _known_actors(uris: set[str]) -> dict[str, Account]:
    """The accounts of the remote actors ``uris`` we know already, in one query (others are fetched)."""
    return {
        known.uri: known.account
        for known in RemoteActor.objects.filter(uri__in=uris).select_related("account")
    }


def _failed(item: InboxItem, error: str) -> str:
    final = item.attempts >= MAX_ATTEMPTS
    InboxItem.objects.filter(id=item.id).update(
        state=InboxItem.State.FAILED if final else InboxItem.State.PENDING, error=error[:500]
    )
    return InboxItem.State.FAILED if final else "retrying"


def _failed_together(ids: list[int], error: str) -> dict[int, str]:
    """Record ``error`` on the items ``ids`` of a segment that rolled back whole, as :func:`_failed` does
    for one item; their outcomes. Nothing is recorded when the database cannot be reached either."""
    try:
        attempts = dict(
            InboxItem.objects.filter(id__in=ids, state=InboxItem.State.PENDING).values_list("id", "attempts")
        )
        final = InboxItem.State.FAILED
        given_up = [item_id for item_id, tries in attempts.items() if tries >= MAX_ATTEMPTS]
        InboxItem.objects.filter(id__in=given_up, state=InboxItem.State.PENDING).update(
            state=final, error=error[:500]
        )
        InboxItem.objects.filter(id__in=attempts.keys() - set(given_up)).update(error=error[:500])
    except Exception:
        log.exception("inbox items %s: the error could not be recorded", ids)
        return {}
    return {item_id: final if tries >= MAX_ATTEMPTS else "retrying" for item_id, tries in attempts.items()}


def due_items(limit: int = 500) -> list[int]:
    """Pending items to (re)try: failed before and waited ``30 s * 2^attempts``, or never picked up."""
    now = timezone.now()
    found = []
    for item_id, attempts, received in (
        InboxItem.objects.filter(state=InboxItem.State.PENDING)
        .order_by("id")
        .values_list("id", "attempts", "received_at")[:limit]
    ):
        if now - received >= timedelta(seconds=30 * 2**attempts):
            found.append(item_id)
    return found
