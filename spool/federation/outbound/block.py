"""``Block`` of a remote actor by a local account."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def block(account_id: int, target_uri: str) -> dict[str, Any]:
    id_ = f"{ids.actor_uri(account_id)}#blocks/{ids.unique_suffix()}"
    return activity("Block", account_id, target_uri, id_=id_)
