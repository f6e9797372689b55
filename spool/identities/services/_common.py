"""Helpers shared by the identity services (not part of the service contract)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet

from spool.core.compiled import compiled, id_list
from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.identities.models import Account

COUNTER_FIELDS = ("followers_count", "following_count", "posts_count")


def lock_account(account: Account) -> Account:
    """Re-read ``account`` with a row lock (PostgreSQL; SQLite transactions already hold the write lock),
    so decisions made on its flags cannot race a concurrent change. ``NotFound`` when it was deleted."""
    try:
        return Account.objects.select_for_update(no_key=True).get(pk=account.pk)
    except Account.DoesNotExist:
        raise NotFound() from None


def lock_accounts(ids: Iterable[int] | QuerySet[Any, Any]) -> dict[int, Account]:
    """Lock the rows of several accounts, always in ID order, and return them fresh. Every service that
    changes counters of two or more accounts takes its locks through here first, so two transactions touching
    the same accounts (A follows B while B follows A) queue instead of deadlocking on PostgreSQL.

    ``FOR NO KEY UPDATE`` (as a plain ``UPDATE`` takes), not ``FOR UPDATE``: the foreign-key checks of other
    transactions (a like, a notification or a follow that names the account, checked at their commit) do
    not wait on it, so two inbox workers do not deadlock on a person one follows while the other notifies.

    A list of IDs is locked by a statement compiled once per process (:mod:`spool.core.compiled`: every
    follow and unfollow the inbox applies takes this lock); a queryset is locked as a subquery."""
    if isinstance(ids, QuerySet):
        rows = Account.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        return {row.pk: row for row in rows}
    return {row.pk: cast(Account, row) for row in _LOCKED.models(ids=list(ids))}


_LOCKED = compiled(
    lambda ids: Account.objects.select_for_update(no_key=True).filter(pk__in=id_list(ids)).order_by("pk"),
    lists=("ids",),
)


def require_active(actor: Account) -> None:
    if not actor.is_active:
        raise Forbidden("Your profile is deactivated. Reactivate it first.", code="deactivated")


def require_other(actor: Account, target: Account, verb: str) -> None:
    if actor.pk == target.pk:
        raise ValidationError(f"You can't {verb} yourself.", code=f"cannot_{verb}_self")


def refresh_counters(*accounts: Account) -> None:
    """Bring the in-memory counters of ``accounts`` up to date after ``F()`` updates (one query, compiled
    once per process)."""
    by_id = {account.pk: account for account in accounts}
    for pk, *values in _COUNTERS.run(ids=list(by_id)):
        for name, value in zip(COUNTER_FIELDS, values, strict=True):
            setattr(by_id[pk], name, value)


_COUNTERS = compiled(
    lambda ids: Account.objects.filter(pk__in=id_list(ids)).values_list("pk", *COUNTER_FIELDS), lists=("ids",)
)
