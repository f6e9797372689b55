"""``Undo`` of a local account's earlier ``Follow``, ``Like``, ``Announce`` or ``Block``."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def undo(account_id: int, inner: dict[str, Any]) -> dict[str, Any]:
    return activity("Undo", account_id, inner, id_=f"{inner['id']}/undo/{ids.unique_suffix()}")
