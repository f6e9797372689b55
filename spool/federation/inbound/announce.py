"""``Announce`` (a repost) of a post: ours, one we hold, or one fetched now."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.fetch import RemoteError
from spool.federation.inbound.notes import IgnoredNote, resolve_post
from spool.federation.objects import seen_post_for_uri
from spool.federation.vocab import VocabError, id_of
from spool.identities.models import Account
from spool.posts.services import repost_post


def handle(activity: dict[str, Any], actor: Account) -> str:
    uri = id_of(activity.get("object"))
    try:
        # Read and checked in one statement when we hold it and the actor may see it (as for a like).
        post = seen_post_for_uri(actor, uri) or resolve_post(uri)
    except (RemoteError, IgnoredNote, VocabError) as exc:
        return f"ignored: {exc}"
    if post is None:
        return "ignored: unknown post"
    try:
        repost_post(actor, post)  # read already: checked again unless read for the actor
    except SpoolError as exc:
        return f"ignored: {exc}"
    return "done"
