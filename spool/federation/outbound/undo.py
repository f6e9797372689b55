"""``Undo`` of a local account's earlier ``Follow``, ``Like``, ``Announce`` or ``Block``."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def undo(account_id: int, inner: dict[str, Any]) -> dict[str, Any]:
    actor = ids.actor_uri(account_id)
    inner = {k: v for k, v in inner.items() if k != "@context"}
    return {
        "@context": CONTEXT,
        "id": f"{inner['id']}/undo/{ids.unique_suffix()}",
        "type": "Undo",
        "actor": actor,
        "object": inner,
    }
