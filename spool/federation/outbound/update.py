"""``Update`` of an edited local post, or of a changed profile."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.actor import person
from spool.federation.outbound.note import note
from spool.federation.vocab import CONTEXT
from spool.identities.models import Account
from spool.posts.models import Post


def update_note(post: Post) -> dict[str, Any]:
    obj = note(post)
    obj.pop("@context", None)
    return {
        "@context": CONTEXT,
        "id": f"{obj['id']}#updates/{ids.unique_suffix()}",
        "type": "Update",
        "actor": ids.actor_uri(post.author_id),
        "to": obj["to"],
        "cc": obj["cc"],
        "object": obj,
    }


def update_person(account: Account) -> dict[str, Any]:
    obj = person(account)
    obj.pop("@context", None)
    return {
        "@context": CONTEXT,
        "id": f"{obj['id']}#updates/{ids.unique_suffix()}",
        "type": "Update",
        "actor": obj["id"],
        "to": [ids.PUBLIC],
        "cc": [ids.followers_uri(account.pk)],
        "object": obj,
    }
