"""``Announce`` (a repost) of a post by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def announce(account_id: int, object_uri: str, repost_id: int, author_uri: str) -> dict[str, Any]:
    cc = [ids.followers_uri(account_id), *([author_uri] if author_uri else [])]
    id_ = f"{ids.actor_uri(account_id)}/reposts/{repost_id}"
    return activity("Announce", account_id, object_uri, id_=id_, to=[ids.PUBLIC], cc=cc)
