"""``Announce`` (a repost) of a post by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def announce(account_id: int, object_uri: str, repost_id: int, author_uri: str) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    return {
        "@context": CONTEXT,
        "id": f"{actor}/reposts/{repost_id}",
        "type": "Announce",
        "actor": actor,
        "to": [ids.PUBLIC],
        "cc": [ids.followers_uri(account_id), author_uri],
        "object": object_uri,
    }
