"""Checks every write starts with."""

from __future__ import annotations

from spool.core.errors import Forbidden
from spool.identities.models import Account


def check_actor(actor: Account) -> None:
    """Only active local accounts write."""
    if actor is None or not actor.is_active:
        raise Forbidden("This profile is deactivated.", code="deactivated")
