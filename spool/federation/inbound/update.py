"""``Update`` of a post (an edit) or of the actor's own profile."""

from __future__ import annotations

from typing import Any

from spool.federation.actors import store_actor
from spool.federation.inbound.notes import IgnoredNote, revise_note
from spool.federation.vocab import Actor, VocabError, id_of
from spool.identities.models import Account


def handle(activity: dict[str, Any], actor: Account) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return "ignored: the object must be inline"
    actor_uri = id_of(activity.get("actor"))
    try:
        if obj.get("type") in ("Person", "Service", "Application", "Group", "Organization"):
            if id_of(obj) != actor_uri:
                return "ignored: an actor can only update itself"
            store_actor(Actor.from_json(obj))
            return "done"
        revise_note(obj, actor)
    except (IgnoredNote, VocabError) as exc:
        return f"ignored: {exc}"
    return "done"
