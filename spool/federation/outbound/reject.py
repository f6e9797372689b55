"""``Reject`` of a remote actor's ``Follow`` (declined request, or a follower removed)."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity, follow_reference


def reject(account_id: int, follow_activity: dict[str, Any]) -> dict[str, Any]:
    id_ = f"{ids.actor_uri(account_id)}#rejects/follows/{ids.unique_suffix()}"
    return activity("Reject", account_id, follow_reference(follow_activity), id_=id_)
