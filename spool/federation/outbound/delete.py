"""``Delete`` of a local post (as a ``Tombstone``) or of a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def delete_note(post_id: int, author_id: int) -> dict[str, Any]:
    uri = ids.post_uri(post_id)
    return activity(
        "Delete", author_id, {"id": uri, "type": "Tombstone"}, id_=f"{uri}#delete", to=[ids.PUBLIC]
    )


def delete_person(account_id: int) -> dict[str, Any]:
    uri = ids.actor_uri(account_id)
    return activity("Delete", account_id, uri, id_=f"{uri}#delete", to=[ids.PUBLIC])
