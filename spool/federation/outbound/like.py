"""``Like`` of a post by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def like(account_id: int, object_uri: str, post_id: int) -> dict[str, Any]:
    id_ = f"{ids.actor_uri(account_id)}#likes/{post_id}/{ids.unique_suffix()}"
    return activity("Like", account_id, object_uri, id_=id_)
