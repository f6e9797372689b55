"""``Reject`` of a remote actor's ``Follow`` (declined request, or a follower removed)."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def reject(account_id: int, follow_activity: dict[str, Any]) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    inner = {k: v for k, v in follow_activity.items() if k in ("id", "type", "actor", "object")}
    return {
        "@context": CONTEXT,
        "id": f"{actor}#rejects/follows/{ids.unique_suffix()}",
        "type": "Reject",
        "actor": actor,
        "object": inner,
    }
