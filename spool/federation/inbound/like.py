"""``Like`` (and Misskey/Pleroma emoji reactions, counted as likes) of a post we hold."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.objects import post_for_uri
from spool.federation.vocab import id_of
from spool.identities.models import Account
from spool.posts.services import like_post


def handle(activity: dict[str, Any], actor: Account) -> str:
    post = post_for_uri(id_of(activity.get("object")))
    if post is None:
        return "ignored: unknown post"
    try:
        like_post(actor, post)  # read already: only checked again
    except SpoolError as exc:
        return f"ignored: {exc}"
    return "done"
