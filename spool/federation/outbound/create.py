"""``Create`` of a local post."""

from __future__ import annotations

from typing import Any

from spool.federation.outbound.base import activity
from spool.federation.outbound.note import note
from spool.posts.models import Post


def create(post: Post) -> dict[str, Any]:
    obj = note(post)
    return activity(
        "Create",
        post.author_id,
        obj,
        id_=f"{obj['id']}/activity",
        published=obj["published"],
        to=obj["to"],
        cc=obj["cc"],
    )
