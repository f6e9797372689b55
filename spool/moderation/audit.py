"""Writing to and reading the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from spool.core.pagination import Page, page_before
from spool.identities.models import Account
from spool.moderation.models import AuditEntry

SYSTEM = "Spool (automatic)"


def record(
    actor: Account | None,
    verb: str,
    target_type: str,
    target_id: int,
    *,
    target_label: str = "",
    note: str = "",
    **data: Any,
) -> AuditEntry:
    """Append one entry (call inside the transaction of the change it records, so both or neither exist).
    ``actor`` ``None`` is the system (the spam score, an operator's command)."""
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_label=f"@{actor.handle}" if actor is not None else SYSTEM,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        note=note[:2000],
        data=data,
    )


def log_page(
    cursor: int | None, *, limit: int = 40, target: tuple[str, int] | None = None
) -> Page[AuditEntry]:
    """Newest first, ``limit`` at a time before ``cursor``; only one target's entries when given."""
    rows: QuerySet[AuditEntry] = AuditEntry.objects.all()
    if target is not None:
        rows = rows.filter(target_type=target[0], target_id=target[1])
    return page_before(rows, cursor, limit)
