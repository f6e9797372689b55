"""``Delete`` of a local post (as a ``Tombstone``) or of a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def delete_note(post_id: int, author_id: int) -> dict[str, Any]:
    uri = ids.post_uri(post_id)
    return {
        "@context": CONTEXT,
        "id": f"{uri}#delete",
        "type": "Delete",
        "actor": ids.actor_uri(author_id),
        "to": [ids.PUBLIC],
        "object": {"id": uri, "type": "Tombstone"},
    }


def delete_person(account_id: int) -> dict[str, Any]:
    uri = ids.actor_uri(account_id)
    return {
        "@context": CONTEXT,
        "id": f"{uri}#delete",
        "type": "Delete",
        "actor": uri,
        "to": [ids.PUBLIC],
        "object": uri,
    }
