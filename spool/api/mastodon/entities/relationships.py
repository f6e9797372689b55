"""Mastodon ``Relationship`` for a page of accounts, from :func:`spool.identities.relationships`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spool.identities.models import Account
from spool.identities.relationships import Relationship, relationships


def relationship_entity(found: Relationship) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "following": found.following,
        # Reposts of followed accounts are always shown and Spool has no post notifications per account.
        "showing_reblogs": found.following,
        "notifying": False,
        "languages": None,
        "followed_by": found.followed_by,
        "blocking": found.blocking,
        "blocked_by": found.blocked_by,
        "muting": found.muting,
        # A mute in Spool also silences that person's notifications.
        "muting_notifications": found.muting,
        "muting_expires_at": None,
        "requested": found.requested,
        "requested_by": found.requested_by,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
        "spool": {"restricting": found.restricting},
    }


def render_relationships(viewer: Account | None, accounts: Sequence[Account | int]) -> list[dict[str, Any]]:
    """Relationships with ``accounts`` (Account rows or IDs), in order."""
    ids = [a if isinstance(a, int) else a.pk for a in accounts]
    found = relationships(viewer, ids)
    return [relationship_entity(found[i]) for i in ids]
