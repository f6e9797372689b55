"""``Move``: an account moved to another server. Our people who followed the old account follow the new
one (as their own action, so the ``Follow`` goes out) and stop following the old one — only when the new
account confirms the move by naming the old one in ``alsoKnownAs``."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.actors import account_for_actor
from spool.federation.context import local_activity
from spool.federation.fetch import RemoteError, fetch_object
from spool.federation.vocab import Actor, VocabError, id_of
from spool.identities.models import Account, Follow
from spool.identities.services import follow_account, unfollow_account

MAX_FOLLOWERS = 10_000


def handle(activity: dict[str, Any], actor: Account) -> str:
    old, target = id_of(activity.get("object")), id_of(activity.get("target"))
    if old != id_of(activity.get("actor")) or not target or target == old:
        return "ignored: an actor can only move itself"
    try:
        confirmed = old in Actor.from_json(fetch_object(target)).also_known_as
        new = account_for_actor(target, refresh=True)
    except (RemoteError, VocabError) as exc:
        return f"ignored: {exc}"
    if not confirmed:
        return "ignored: the new account does not name the old one in alsoKnownAs"
    followers = Account.objects.filter(
        pk__in=Follow.objects.filter(followee=actor).values("follower_id"), domain=""
    )[:MAX_FOLLOWERS]
    for follower in followers:
        try:
            with local_activity():
                follow_account(follower, new)
            unfollow_account(follower, actor)
        except SpoolError:
            continue
    return "done"
