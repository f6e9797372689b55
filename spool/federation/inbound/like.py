"""``Like`` (and Misskey/Pleroma emoji reactions, counted as likes) of a post we hold."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.objects import post_for_uri, seen_post_for_uri
from spool.federation.vocab import id_of
from spool.identities.models import Account
from spool.posts.services import like_post


def handle(activity: dict[str, Any], actor: Account) -> str:
    uri = id_of(activity.get("object"))
    # Read and checked in one statement; a post we hold that the actor may not see is read again, so the
    # outcome says it is not available rather than unknown.
    post = seen_post_for_uri(actor, uri) or post_for_uri(uri)
    if post is None:
        return "ignored: unknown post"
    try:
        like_post(actor, post)  # read already: checked again unless read for the actor
    except SpoolError as exc:
        return f"ignored: {exc}"
    return "done"
