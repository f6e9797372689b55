"""``Like`` of a post by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def like(account_id: int, object_uri: str, post_id: int) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    return {
        "@context": CONTEXT,
        "id": f"{actor}#likes/{post_id}/{ids.unique_suffix()}",
        "type": "Like",
        "actor": actor,
        "object": object_uri,
    }
