"""How posts react to events of the layers below (connected in ``PostsConfig.ready``)."""

from __future__ import annotations

from spool.core.events import subscribe
from spool.identities.events import AccountDeleting
from spool.posts.services.erasure import forget_account


def on_account_deleting(event: AccountDeleting) -> None:
    """In the deleting transaction, before the account's rows cascade away: keep others' counters exact."""
    forget_account(event.account_id)


def connect() -> None:
    subscribe(AccountDeleting, on_account_deleting)
