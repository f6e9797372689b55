"""Recording what happens in conversations in each reader's change sequence (see ``models.Change``).

Every write that clients must learn about — a message, an edit, an unsend, a reaction, a read position, a
membership change — calls :func:`record` inside its transaction, for the people who see it. The numbers it
returns travel with the domain event, so live frames carry the same number a catch-up would.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from spool.messaging.models import Change, ChangeCounter

Seqs = tuple[tuple[int, int], ...]  # (account ID, its sequence number for this change)


def record(
    kind: str,
    conversation_id: int,
    account_ids: Iterable[int],
    *,
    message_id: int | None = None,
    actor_id: int | None = None,
) -> Seqs:
    """Number the change in the sequence of each of ``account_ids`` and store it; returns the numbers.

    Must run inside the writing transaction: the counters stay locked until it commits (taken in account
    order, so two writers never wait on each other in a cycle), which keeps each sequence gapless and in
    commit order, and a rollback takes the numbers back."""
    assert connection.in_atomic_block, "record() runs inside the writing transaction"
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return ()
    table = connection.ops.quote_name(ChangeCounter._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_id, seq) VALUES {rows} "  # noqa: S608 - placeholders only
            f"ON CONFLICT (account_id) DO UPDATE SET seq = {table}.seq + 1 RETURNING account_id, seq",
            ids,
        )
        seqs = {int(account): int(seq) for account, seq in cursor.fetchall()}
    Change.objects.bulk_create(
        [
            Change(
                account_id=account,
                seq=seqs[account],
                kind=kind,
                conversation_id=conversation_id,
                message_id=message_id,
                actor_id=actor_id,
            )
            for account in ids
        ]
    )
    return tuple(sorted(seqs.items()))


def current_seq(account_id: int) -> int:
    """The number of the newest change recorded for the account (0 before any)."""
    value = ChangeCounter.objects.filter(account_id=account_id).values_list("seq", flat=True).first()
    return int(value or 0)
