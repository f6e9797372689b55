"""``Accept`` of a remote actor's ``Follow`` of a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def accept(account_id: int, follow_activity: dict[str, Any]) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    inner = {k: v for k, v in follow_activity.items() if k in ("id", "type", "actor", "object")}
    return {
        "@context": CONTEXT,
        "id": f"{actor}#accepts/follows/{ids.unique_suffix()}",
        "type": "Accept",
        "actor": actor,
        "object": inner,
    }
