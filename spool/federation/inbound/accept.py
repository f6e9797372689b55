"""``Accept`` of a local account's ``Follow``: a pending request to the remote actor becomes a follow.

The accepted ``Follow`` may come inline (the usual) or as a bare id of our own activity; then every pending
request from our accounts to the accepting actor is approved (we only ever send one per pair)."""

from __future__ import annotations

from typing import Any

from spool.federation.inbound.common import inner_activity, local_target
from spool.identities.models import Account, FollowRequest
from spool.identities.services import approve_follow_request


def handle(activity: dict[str, Any], actor: Account) -> str:
    inner = inner_activity(activity.get("object"))
    if inner is not None and inner.get("type") != "Follow":
        return "ignored: only follows are accepted"
    follower = local_target(inner.get("actor")) if inner else None
    if follower is not None:
        requesters = [follower]
    else:
        requesters = list(Account.objects.filter(sent_follow_requests__target=actor, domain=""))
    approved = 0
    for requester in requesters:
        if FollowRequest.objects.filter(requester=requester, target=actor).exists():
            approve_follow_request(actor, requester)
            approved += 1
    return "done" if approved else "ignored: no pending follow"
