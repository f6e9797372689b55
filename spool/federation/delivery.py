"""Durable delivery of outgoing activities (the outbox pattern).

:func:`deliver` writes one ``Delivery`` row per inbox inside the caller's transaction — so a rolled-back
post sends nothing and a committed one cannot lose its deliveries — and enqueues their sending after
commit: batches of rows, each batch sent by one task over up to ``SPOOL.federation_delivery_concurrency``
connections at once (:func:`send_deliveries`), so a post to 250 servers that each take 50 ms to answer waits
for them side by side, not one after the other (with the setting at 1, one task per row).
:func:`send_delivery` claims a row with a lease (``SPOOL.federation_delivery_lease_seconds``, so two
workers never send it at once and a dead worker's row is taken over when it runs out), POSTs it
signed by the sender, and records the outcome: delivered; retried with exponential backoff (30 s doubling,
at most 6 h apart) while the server fails; given up when the server answers a permanent 4xx or when the
activity is older than ``SPOOL.federation_delivery_horizon_hours``. ``retry_deliveries`` (every minute,
from beat) picks up rows whose retry time has come, including those a dead worker left behind.

Per-server health (``Server``) counts consecutive failures; new deliveries to a server that has failed for
longer than the horizon are given up at once.
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from spool.core.batching import gather
from spool.core.compiled import compiled, id_list
from spool.core.fetch import FetchError, fetch
from spool.federation import ids
from spool.federation.fetch import RemoteError, check_url
from spool.federation.keys import local_key
from spool.federation.models import Delivery, DepartedKey, LocalKey, RemoteActor, Server
from spool.federation.policy import blocked_among, dev_mode, domain_of
from spool.federation.signatures import sign_request
from spool.identities.models import Account

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_GAP = timedelta(hours=6)
CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def lease() -> timedelta:
    return timedelta(seconds=settings.SPOOL.federation_delivery_lease_seconds)


def horizon() -> timedelta:
    return timedelta(hours=settings.SPOOL.federation_delivery_horizon_hours)


def inboxes_of(accounts: Iterable[Account]) -> list[str]:
    """Where to deliver to these remote accounts: each server's shared inbox when it has one (one POST per
    server, not per person), else the personal inbox; deduplicated, order kept."""
    ids_ = [a.pk for a in accounts if not a.is_local]
    if not ids_:
        return []
    return list(dict.fromkeys(shared or inbox for shared, inbox in _INBOXES.run(accounts=ids_)))


# Compiled once per process (:mod:`spool.core.compiled`): the inbox asks it for every Follow it accepts
# again, and most activities sent to a few people.
_INBOXES = compiled(
    lambda accounts: RemoteActor.objects.filter(account_id__in=id_list(accounts)).values_list(
        "shared_inbox", "inbox"
    ),
    lists=("accounts",),
)


def remote_follower_inboxes(account_id: int) -> list[str]:
    """Deduplicated inboxes of ``account_id``'s followers on other servers."""
    rows = RemoteActor.objects.filter(account__following_edges__followee_id=account_id).values_list(
        "shared_inbox", "inbox"
    )
    return list(dict.fromkeys(shared or inbox for shared, inbox in rows))


def inboxes_of_known_servers(sender_id: int) -> list[str]:
    """One inbox per server that ``sender_id`` ever delivered to or has followers on: the server's shared
    inbox when any of its actors we know has one, else an inbox we delivered to there. For the last word
    of an account (``Delete(Person)``), which every server that knew it should hear."""
    by_domain: dict[str, str] = {}
    for inbox in remote_follower_inboxes(sender_id):
        by_domain.setdefault(domain_of(inbox), inbox)
    delivered = dict(
        Delivery.objects.filter(sender_id=sender_id).values_list("domain", "inbox").order_by("domain", "id")
    )
    shared = RemoteActor.objects.filter(account__domain__in=list(delivered)).exclude(shared_inbox="")
    for domain, inbox in shared.values_list("account__domain", "shared_inbox"):
        by_domain.setdefault(domain, inbox)
    for domain, inbox in delivered.items():
        by_domain.setdefault(domain, inbox)
    return list(by_domain.values())


def inboxes_that_received(object_uri: str) -> list[str]:
    """Every inbox an activity about ``object_uri`` was sent to (so edits and deletes reach them all)."""
    rows = Delivery.objects.filter(object_uri=object_uri).values_list("inbox", flat=True).distinct()
    return list(dict.fromkeys(rows))


def deliver(
    activity: dict[str, Any],
    sender: Account | None,
    inboxes: Iterable[str],
    *,
    object_uri: str = "",
    departed_key_id: str = "",
) -> int:
    """Queue ``activity`` from local ``sender`` to each inbox (skipping our own and blocked servers);
    returns how many deliveries were queued. Call inside the transaction that made the change. An account
    being deleted sends with ``sender=None`` and the ``DepartedKey`` it saved (``departed_key_id``), so
    the rows outlive it."""
    own = ids.base_url()
    rows = []
    for inbox in dict.fromkeys(inboxes):
        if not inbox or inbox.startswith(own + "/"):
            continue
        try:
            check_url(inbox)
        except RemoteError:
            continue
        rows.append(
            Delivery(
                activity_id=activity["id"],
                object_uri=object_uri,
                sender_id=sender.pk if sender is not None else None,
                key_id=departed_key_id,
                inbox=inbox,
                domain=domain_of(inbox),
                body=activity,
            )
        )
    if not rows:
        return 0
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    activity_id = activity["id"]
    transaction.on_commit(lambda: _enqueue_for(activity_id))
    return len(rows)


def _enqueue_for(activity_id: str) -> None:
    """Queue the sending of the activity's fresh deliveries, now or, inside an inbox batch
    (:func:`~spool.core.batching.batched_tasks`), with the batch's other ones when it ends (the Accepts of
    its Follows: one query and a few tasks, not one each; a process that dies first leaves them pending
    for ``retry_deliveries``)."""
    if not gather(_enqueue_for_all, activity_id):
        _enqueue_for_all([activity_id])


def _enqueue_for_all(activity_ids: list[str]) -> None:
    enqueue_sends(
        list(
            Delivery.objects.filter(activity_id__in=activity_ids, state=Delivery.State.PENDING, attempts=0)
            .order_by("id")
            .values_list("id", flat=True)
        )
    )


def enqueue_sends(delivery_ids: list[int]) -> None:
    """Queue the sending of these deliveries: in batches of twice the concurrency, one task per batch
    (small enough that one slow batch does not hold a worker for long); one task per row at concurrency 1."""
    from spool.federation.tasks import send_deliveries, send_delivery

    width = settings.SPOOL.federation_delivery_concurrency
    if width <= 1:
        for delivery_id in delivery_ids:
            send_delivery.delay(delivery_id)
        return
    size = 2 * width
    for start in range(0, len(delivery_ids), size):
        send_deliveries.delay(delivery_ids[start : start + size])


class _Row(NamedTuple):
    """The fields of a ``Delivery`` that sending reads (the body is read once per activity)."""

    id: int
    activity_id: str
    sender_id: int | None
    key_id: str
    inbox: str
    domain: str
    attempts: int
    created_at: datetime


@dataclass
class _Batch:
    """What the deliveries sent together share, read in a few queries for all of them rather than in seven
    for each: the rows, each activity's body as sent, the signing keys, which servers are refused now
    (blocked, or failing for longer than the horizon), and the servers that answered (their health is
    recorded once, at the end)."""

    rows: dict[int, _Row]
    bodies: dict[str, bytes]
    keys: dict[tuple[int | None, str], tuple[str, str] | None]
    refused: set[str]
    answered: set[str] = field(default_factory=set)


def _read_batch(delivery_ids: list[int]) -> _Batch:
    pending = Delivery.objects.filter(id__in=delivery_ids, state=Delivery.State.PENDING)
    rows = {row[0]: _Row(*row) for row in pending.values_list(*_Row._fields)}
    first_of: dict[str, int] = {}
    for row in rows.values():
        first_of.setdefault(row.activity_id, row.id)
    bodies = {
        activity_id: json.dumps(body, separators=(",", ":")).encode()
        for activity_id, body in Delivery.objects.filter(id__in=first_of.values()).values_list(
            "activity_id", "body"
        )
    }
    domains = {row.domain for row in rows.values()}
    # Every server we deliver to gets a health row (one insert for the batch; existing rows are kept).
    Server.objects.bulk_create([Server(domain=d) for d in domains], ignore_conflicts=True)
    failing = Server.objects.filter(domain__in=domains, failing_since__lt=timezone.now() - horizon())
    refused = set(failing.values_list("domain", flat=True)) | blocked_among(domains)
    return _Batch(rows, bodies, _signing_keys(rows.values()), refused)


def _signing_keys(rows: Iterable[_Row]) -> dict[tuple[int | None, str], tuple[str, str] | None]:
    """(key id, private key PEM) per (sender, departed key id) of ``rows``: the sender's key, or for an
    account deleted since, the ``DepartedKey`` its farewell deliveries name (``None`` when that is gone)."""
    wanted = {(row.sender_id, row.key_id) for row in rows}
    senders = {sender for sender, _ in wanted if sender is not None}
    pems: dict[int, str] = dict(
        LocalKey.objects.filter(account_id__in=senders).values_list("account_id", "private_key_pem")
    )
    for owner in senders - pems.keys():  # never signed anything yet: made now, as local_key does
        pems[owner] = local_key(Account(pk=owner)).private_key_pem
    departed_ids = {key_id for sender, key_id in wanted if sender is None and key_id}
    departed = dict(
        DepartedKey.objects.filter(key_id__in=departed_ids).values_list("key_id", "private_key_pem")
    )
    keys: dict[tuple[int | None, str], tuple[str, str] | None] = {}
    for sender, key_id in wanted:
        if sender is not None:
            keys[(sender, key_id)] = (ids.key_id(sender), pems[sender])
        else:
            keys[(sender, key_id)] = (key_id, departed[key_id]) if key_id in departed else None
    return keys


def _record_answers(batch: _Batch) -> None:
    if batch.answered:
        Server.objects.filter(domain__in=batch.answered).update(
            consecutive_failures=0, failing_since=None, last_success_at=timezone.now()
        )


def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries, up to ``SPOOL.federation_delivery_concurrency`` at once, each exactly as
    :func:`send_delivery` does (claimed with a lease, so a row another worker holds is skipped); how many
    ended in each state. A delivery that raises is logged and left to its lease and ``retry_deliveries``.
    What the rows share (bodies, keys, server policy and health) is read once for the batch.

    Only the signed POSTs run on the sending threads; every statement (the claims, the outcomes) runs on
    this one, on the task's own connection, as each POST ends: threads that opened connections of their
    own cost a PostgreSQL backend or a parsed SQLite schema each, and outnumbered the pool."""
    batch = _read_batch(delivery_ids)
    width = min(settings.SPOOL.federation_delivery_concurrency, len(delivery_ids))
    outcomes: Counter[str] = Counter()
    if width <= 1:
        outcomes.update(_send_logged(batch, delivery_id) for delivery_id in delivery_ids)
        _record_answers(batch)
        return dict(outcomes)
    claimed = _claim_all(list(batch.rows))
    ready: list[_Row] = []
    for delivery_id in delivery_ids:
        fit = _fit(batch, batch.rows[delivery_id]) if delivery_id in claimed else "skipped"
        if isinstance(fit, str):
            outcomes[fit] += 1
        else:
            ready.append(fit)
    for delivery, error in _post_all(batch, ready, width):
        if isinstance(error, FetchError | None):
            outcomes[_record(batch, delivery, error)] += 1
        else:
            log.error(
                "delivery %s failed unexpectedly; retried once its lease runs out",
                delivery.id,
                exc_info=error,
            )
            outcomes["error"] += 1
    _record_answers(batch)
    return dict(outcomes)


def _post_all(
    batch: _Batch, rows: list[_Row], width: int
) -> Iterator[tuple[_Row, FetchError | Exception | None]]:
    """POST ``rows`` over ``width`` threads; each row with what its POST raised (``None``: delivered), in
    the order they end. The threads touch no database."""
    work: queue.SimpleQueue[_Row] = queue.SimpleQueue()
    for row in rows:
        work.put(row)
    ended: queue.SimpleQueue[tuple[_Row, FetchError | Exception | None]] = queue.SimpleQueue()

    def poster() -> None:
        while True:
            try:
                row = work.get_nowait()
            except queue.Empty:
                return
            try:
                _post(batch, row)
            except Exception as exc:  # handed to the task's thread, which records or logs it
                ended.put((row, exc))
            else:
                ended.put((row, None))

    threads = [threading.Thread(target=poster, name=f"delivery-{n}") for n in range(min(width, len(rows)))]
    for thread in threads:
        thread.start()
    for _ in rows:
        yield ended.get()
    for thread in threads:
        thread.join()


def _send_logged(batch: _Batch, delivery_id: int) -> str:
    try:
        return _send(batch, delivery_id)
    except Exception:
        log.exception("delivery %s failed unexpectedly; retried once its lease runs out", delivery_id)
        return "error"


def _due(delivery_ids: list[int], now: datetime) -> QuerySet[Delivery]:
    return Delivery.objects.filter(id__in=delivery_ids, state=Delivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(_due([delivery_id], now).update(next_attempt_at=now + lease()))


def _claim_all(delivery_ids: list[int]) -> set[int]:
    """Claim those of ``delivery_ids`` that are due (a lease each, as :func:`_claim` does); the ids claimed.
    One statement for the batch, ``UPDATE … WHERE id IN (SELECT …) RETURNING id``."""
    if not delivery_ids:
        return set()
    now = timezone.now()
    select, params = _due(delivery_ids, now).values("id").query.sql_with_params()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    column = connection.ops.quote_name(Delivery._meta.get_field("next_attempt_at").column)
    until = connection.ops.adapt_datetimefield_value(now + lease())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id IN ({select}) RETURNING id",  # noqa: S608 - names from the model, values are parameters
            [until, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def send_delivery(delivery_id: int) -> str:
    """Try one delivery now (see the module docstring); returns the resulting state."""
    batch = _read_batch([delivery_id])
    outcome = _send(batch, delivery_id)
    _record_answers(batch)
    return outcome


def _send(batch: _Batch, delivery_id: int) -> str:
    """Claim one row of ``batch``, send it and record the outcome: two statements of our own (the claim and
    the outcome) around the signed POST."""
    claimed = _claimed(batch, delivery_id)
    if isinstance(claimed, str):
        return claimed
    try:
        _post(batch, claimed)
    except FetchError as exc:
        return _record(batch, claimed, exc)
    return _record(batch, claimed, None)


def _claimed(batch: _Batch, delivery_id: int) -> _Row | str:
    """The row, claimed and fit to send; else what became of it (skipped: gone, or held by another worker;
    given up: past the horizon, server refused, or no key to sign with)."""
    delivery = batch.rows.get(delivery_id)
    if delivery is None or not _claim(delivery_id):
        return "skipped"
    return _fit(batch, delivery)


def _fit(batch: _Batch, delivery: _Row) -> _Row | str:
    """A claimed row, when it is still to be sent; else given up."""
    if timezone.now() - delivery.created_at > horizon() or delivery.domain in batch.refused:
        return _give_up(delivery, "gave up: past the delivery horizon or server blocked")
    if batch.keys[(delivery.sender_id, delivery.key_id)] is None:
        return _give_up(delivery, "gave up: the sender's account is gone")
    return delivery


def _post(batch: _Batch, delivery: _Row) -> None:
    """The signed POST of a claimed row (no database); raises ``FetchError`` when it was not taken."""
    signing = batch.keys[(delivery.sender_id, delivery.key_id)]
    assert signing is not None  # checked by _fit
    key_id, private_pem = signing
    body = batch.bodies[delivery.activity_id]

    def signer(method: str, url: str, headers: dict[str, str]) -> dict[str, str]:
        return sign_request(method, url, headers, body, key_id=key_id, private_pem=private_pem)

    fetch(
        delivery.inbox,
        method="POST",
        body=body,
        accept=None,
        headers={"Content-Type": CONTENT_TYPE},
        sign=signer,
        max_redirects=0,
        allow_private=True if dev_mode() else None,
        max_bytes=64 * 1024,
    )


def _record(batch: _Batch, delivery: _Row, error: FetchError | None) -> str:
    """Record how the POST of ``delivery`` ended (``error`` ``None``: delivered); the resulting state."""
    if error is not None:
        permanent = error.status is not None and 400 <= error.status < 500 and error.status not in (408, 429)
        _server_failed(delivery.domain, str(error), counts=not permanent)
        if permanent:
            return _give_up(delivery, f"refused: {error}")
        return _retry_later(delivery, str(error))
    _mark_delivered(delivery.id)
    batch.answered.add(delivery.domain)
    _forget_departed_key(delivery)
    return Delivery.State.DELIVERED


def _mark_delivered(delivery_id: int) -> None:
    """The row is delivered: one statement written out, run as each POST ends (Django compiled the
    ``update()`` of five fields again for every delivered row, most of the cost of recording it)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_delivered_sql(), [Delivery.State.DELIVERED.value, now, delivery_id])


@functools.cache
def _delivered_sql() -> str:
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(str(Delivery._meta.get_field(name).column))  # type: ignore[union-attr]

    attempts = column("attempts")
    return (
        f"UPDATE {quote(Delivery._meta.db_table)} SET {column('state')} = %s, {attempts} = {attempts} + 1, "  # noqa: S608 - names from the model, values are parameters
        f"{column('delivered_at')} = %s, {column('next_attempt_at')} = NULL, {column('last_error')} = '' "
        f"WHERE {column('id')} = %s"
    )


def _forget_departed_key(delivery: _Row) -> None:
    """Drop a deleted account's key once none of its farewell deliveries is pending any more."""
    if delivery.sender_id is None and delivery.key_id:
        pending = Delivery.objects.filter(key_id=delivery.key_id, state=Delivery.State.PENDING)
        if not pending.exists():
            DepartedKey.objects.filter(key_id=delivery.key_id).delete()


def _retry_later(delivery: _Row, error: str) -> str:
    attempts = delivery.attempts + 1
    gap = min(FIRST_RETRY * (2 ** (attempts - 1)), MAX_RETRY_GAP)
    if timezone.now() + gap - delivery.created_at > horizon():
        return _give_up(delivery, error)
    Delivery.objects.filter(id=delivery.id).update(
        attempts=attempts, next_attempt_at=timezone.now() + gap, last_error=error[:500]
    )
    return "retrying"


def _give_up(delivery: _Row, error: str) -> str:
    Delivery.objects.filter(id=delivery.id).update(
        state=Delivery.State.FAILED, attempts=F("attempts") + 1, next_attempt_at=None, last_error=error[:500]
    )
    log.info("delivery %s to %s given up: %s", delivery.activity_id, delivery.inbox, error)
    _forget_departed_key(delivery)
    return Delivery.State.FAILED


def _server_failed(domain: str, error: str, *, counts: bool) -> None:
    if not counts:
        return
    Server.objects.filter(domain=domain).update(
        consecutive_failures=F("consecutive_failures") + 1,
        last_error=error[:500],
        failing_since=Coalesce(F("failing_since"), Value(timezone.now())),
    )


def due_deliveries(limit: int = 500) -> list[int]:
    """Pending deliveries whose (re)try time has come, oldest first (bounded)."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING)
        .filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - FIRST_RETRY)
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
