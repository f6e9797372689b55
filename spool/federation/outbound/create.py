"""``Create`` of a local post."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.note import note
from spool.federation.vocab import CONTEXT
from spool.posts.models import Post


def create(post: Post) -> dict[str, Any]:
    obj = note(post)
    obj.pop("@context", None)
    return {
        "@context": CONTEXT,
        "id": f"{obj['id']}/activity",
        "type": "Create",
        "actor": ids.actor_uri(post.author_id),
        "published": obj["published"],
        "to": obj["to"],
        "cc": obj["cc"],
        "object": obj,
    }
