"""The envelope every outgoing activity shares."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def activity(kind: str, account_id: int, obj: Any, *, id_: str, **extra: Any) -> dict[str, Any]:
    """An activity of ``kind`` by local account ``account_id`` about ``obj`` (an id or an inline object,
    whose own ``@context`` is dropped)."""
    if isinstance(obj, dict):
        obj = {k: v for k, v in obj.items() if k != "@context"}
    return {
        "@context": CONTEXT,
        "id": id_,
        "type": kind,
        "actor": ids.actor_uri(account_id),
        **extra,
        "object": obj,
    }


def follow_reference(follow: dict[str, Any]) -> dict[str, Any]:
    """The parts of a ``Follow`` that an ``Accept``/``Reject``/``Undo`` repeats."""
    return {k: v for k, v in follow.items() if k in ("id", "type", "actor", "object")}
