"""``Create`` of a post (``Note``, ``Question``; ``Article``/``Page`` kept as a link)."""

from __future__ import annotations

from typing import Any

from spool.federation.inbound.notes import IgnoredNote, ingest_note
from spool.federation.vocab import VocabError, id_of
from spool.identities.models import Account


def handle(activity: dict[str, Any], actor: Account) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return "ignored: the object must be inline"
    if id_of(
        obj.get("attributedTo") if not isinstance(obj.get("attributedTo"), list) else obj["attributedTo"][0]
    ) != id_of(activity.get("actor")):
        return "ignored: the post is not by the actor"
    try:
        ingest_note(obj, require_interest=True)
    except (IgnoredNote, VocabError) as exc:
        return f"ignored: {exc}"
    return "done"
