"""Receiving activities: check, store, answer 202, process later (durably, once per activity id).

:func:`receive` runs in the request: it refuses blocked servers before reading the body, oversized bodies,
bad signatures (401, nothing stored), and malformed or mismatched activities (400); then stores an
``InboxItem`` keyed by the activity id — a second delivery of the same id stores nothing — and enqueues
:func:`process_item` after commit. Processing runs the verb's handler under
:func:`~spool.federation.context.remote_activity`; a failure that may pass (the other server was down)
leaves the item pending for ``retry_inbox`` with backoff, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from spool.federation.actors import account_for_actor, lookup_key
from spool.federation.context import remote_activity
from spool.federation.fetch import RemoteError
from spool.federation.inbound import dispatch
from spool.federation.models import InboxItem
from spool.federation.policy import domain_of, is_blocked_domain
from spool.federation.signatures import SignatureError, parse_signature, verify_request
from spool.federation.vocab import id_of

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


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
    if key_id and is_blocked_domain(domain_of(key_id)):
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
    key = activity_id if domain_of(activity_id) == domain_of(actor_uri) else f"{actor_uri} {activity_id}"
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                activity_id=key[:2000],
                activity_type=str(activity["type"])[:40],
                actor_uri=actor_uri[:2000],
                body=activity,
            )
    except IntegrityError:
        return None  # already received: processed (or being processed) once
    transaction.on_commit(lambda: _enqueue(item.id))
    return item


def _enqueue(item_id: int) -> None:
    from spool.federation.tasks import process_inbox_item

    process_inbox_item.delay(item_id)


def process_item(item_id: int) -> str:
    """Apply one stored activity (idempotent: only a pending item is processed)."""
    claimed = InboxItem.objects.filter(id=item_id, state=InboxItem.State.PENDING).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    item = InboxItem.objects.get(id=item_id)
    try:
        with remote_activity(), transaction.atomic():
            actor = account_for_actor(item.actor_uri)
            outcome = dispatch(item.body, actor)
    except RemoteError as exc:
        return _failed(item, f"{exc.code}: {exc}")
    except Exception as exc:
        log.exception("inbox item %s (%s) failed", item.id, item.activity_type)
        return _failed(item, f"{type(exc).__name__}: {exc}")
    state = (
        InboxItem.State.DONE
        if outcome == "done" or not outcome.startswith("ignored")
        else InboxItem.State.IGNORED
    )
    InboxItem.objects.filter(id=item.id).update(state=state, processed_at=timezone.now(), error=outcome[:500])
    return state


def _failed(item: InboxItem, error: str) -> str:
    final = item.attempts >= MAX_ATTEMPTS
    InboxItem.objects.filter(id=item.id).update(
        state=InboxItem.State.FAILED if final else InboxItem.State.PENDING, error=error[:500]
    )
    return InboxItem.State.FAILED if final else "retrying"


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
