"""``Follow`` of a remote actor by a local account; :func:`follow_of` rebuilds one for an ``Undo`` of a
Follow sent before deliveries were recorded under the followed actor."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def follow(follower_id: int, target_uri: str) -> dict[str, Any]:
    id_ = f"{ids.actor_uri(follower_id)}#follows/{ids.unique_suffix()}"
    return activity("Follow", follower_id, target_uri, id_=id_)


def follow_of(follower_id: int, target_id: int, target_uri: str) -> dict[str, Any]:
    """The ``Follow`` an ``Undo`` names (receivers match it by actor and object; the id is stable)."""
    return activity(
        "Follow", follower_id, target_uri, id_=f"{ids.actor_uri(follower_id)}#follows/{target_id}"
    )
