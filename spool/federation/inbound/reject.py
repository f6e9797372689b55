"""``Reject`` of a local account's ``Follow``: the request is dropped, or the follow ended."""

from __future__ import annotations

from typing import Any

from spool.federation.inbound.common import inner_activity, local_target
from spool.identities.models import Account, Follow, FollowRequest
from spool.identities.services import decline_follow_request, remove_follower


def handle(activity: dict[str, Any], actor: Account) -> str:
    inner = inner_activity(activity.get("object"))
    follower = local_target(inner.get("actor")) if inner else None
    if follower is None:
        return "ignored: not a follow by one of our accounts"
    if FollowRequest.objects.filter(requester=follower, target=actor).exists():
        decline_follow_request(actor, follower)
    elif Follow.objects.filter(follower=follower, followee=actor).exists():
        remove_follower(actor, follower)
    else:
        return "ignored: no follow to reject"
    return "done"
