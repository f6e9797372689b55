"""``Delete`` of a post (by id or ``Tombstone``) or of the actor itself."""

from __future__ import annotations

from typing import Any

from spool.federation.objects import post_for_uri
from spool.federation.vocab import id_of
from spool.identities.models import Account
from spool.identities.services import delete_account
from spool.posts.services.remote import remove_remote_post


def handle(activity: dict[str, Any], actor: Account) -> str:
    target = id_of(activity.get("object"))
    if target and target == id_of(activity.get("actor")):
        delete_account(actor)
        return "done"
    post = post_for_uri(target)
    if post is None:
        return "ignored: unknown object"
    if post.author_id != actor.pk:
        return "ignored: only the author can delete a post"
    remove_remote_post(post)
    return "done"
