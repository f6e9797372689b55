"""Helpers the verb handlers share: the local account or post an activity targets, and the inner
activity of an ``Undo``/``Accept``/``Reject`` given inline or by id."""

from __future__ import annotations

from typing import Any, cast

from spool.core.compiled import compiled
from spool.federation import ids
from spool.federation.models import InboxItem
from spool.federation.remembered import remembered
from spool.federation.vocab import id_of
from spool.identities.models import Account


def local_target(value: Any) -> Account | None:
    """The active local account an object reference names, if any."""
    account_id = ids.local_account_id(id_of(value))
    if account_id is None:
        return None
    return remembered(("local account", account_id), lambda: _first(_LOCAL_ACCOUNT.models(id=account_id)))


def _first(accounts: list[Any]) -> Account | None:
    return cast(Account, accounts[0]) if accounts else None


# Compiled once per process: every Follow, Undo(Follow) and Block names a local account.
_LOCAL_ACCOUNT = compiled(
    lambda id: Account.objects.filter(pk=id, domain="", is_active=True)[:1], ints=("id",)
)


def inner_activity(value: Any) -> dict[str, Any] | None:
    """The activity an ``Undo``/``Accept``/``Reject`` refers to: inline, or one we received before (by id)."""
    if isinstance(value, dict) and value.get("type"):
        return value
    ref = id_of(value)
    if not ref:
        return None
    item = InboxItem.objects.filter(activity_id=ref).first()
    return item.body if item is not None else None
