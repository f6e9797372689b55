"""``Follow`` of a remote actor by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def follow(follower_id: int, target_uri: str) -> dict[str, Any]:
    actor = ids.actor_uri(follower_id)
    return {
        "@context": CONTEXT,
        "id": f"{actor}#follows/{ids.unique_suffix()}",
        "type": "Follow",
        "actor": actor,
        "object": target_uri,
    }
