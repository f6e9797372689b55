"""Checks every write starts with."""

from __future__ import annotations

from spool.accounts.email_flows import require_confirmed_email
from spool.core.errors import Forbidden
from spool.identities.models import Account


def check_actor(actor: Account) -> None:
    """Only active local accounts write, and only once their email address is confirmed when the server
    requires it."""
    if actor is None or not actor.is_active:
        raise Forbidden("This profile is deactivated.", code="deactivated")
    require_confirmed_email(actor.user_id)
