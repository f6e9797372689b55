"""``Undo`` of an earlier ``Follow``, ``Like`` (or reaction), ``Announce`` or ``Block`` by the same actor."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.inbound.common import inner_activity, local_target
from spool.federation.objects import post_for_uri, seen_post_for_uri
from spool.federation.vocab import id_of
from spool.identities.models import Account
from spool.identities.services import unblock_account, unfollow_account
from spool.posts.services import undo_repost, unlike_post


def handle(activity: dict[str, Any], actor: Account) -> str:
    inner = inner_activity(activity.get("object"))
    if inner is None:
        return "ignored: unknown activity to undo"
    if id_of(inner.get("actor")) not in ("", id_of(activity.get("actor"))):
        return "ignored: an actor can only undo its own activities"
    kind = inner.get("type")
    try:
        if kind in ("Follow", "Block"):
            target = local_target(inner.get("object"))
            if target is None:
                return "ignored: not one of our accounts"
            (unfollow_account if kind == "Follow" else unblock_account)(actor, target)
        elif kind in ("Like", "EmojiReact", "EmojiReaction", "Announce"):
            uri = id_of(inner.get("object"))
            post = seen_post_for_uri(actor, uri) or post_for_uri(uri)  # as a like reads it
            if post is None:
                return "ignored: unknown post"
            # Checked again unless read for the actor.
            (undo_repost if kind == "Announce" else unlike_post)(actor, post)
        else:
            return f"ignored: cannot undo {kind!s:.40}"
    except SpoolError as exc:
        return f"ignored: {exc}"
    return "done"
