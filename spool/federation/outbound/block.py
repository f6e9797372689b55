"""``Block`` of a remote actor by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def block(account_id: int, target_uri: str) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    return {
        "@context": CONTEXT,
        "id": f"{actor}#blocks/{ids.unique_suffix()}",
        "type": "Block",
        "actor": actor,
        "object": target_uri,
    }
