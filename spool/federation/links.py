"""Ending the social links between local people and fediverse accounts, when a person stops sharing with
the fediverse (:mod:`spool.federation.sharing`) or an admin blocks a server (:mod:`spool.federation.servers`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from spool.identities.models import Account, Follow, FollowRequest
from spool.identities.services import decline_follow_request, remove_follower, unfollow_account


def accounts_on_server(domain: str) -> Any:
    """Accounts of the server ``domain`` as a block names it: the server itself, any port of it and its
    subdomains with or without a port (``social.example`` covers ``social.example:8443``,
    ``eu.social.example`` and ``eu.social.example:8443``), as
    :func:`spool.federation.policy.is_blocked_domain` refuses them."""
    return Account.objects.filter(
        Q(domain=domain)
        | Q(domain__startswith=f"{domain}:")
        | Q(domain__endswith=f".{domain}")
        | Q(domain__contains=f".{domain}:")
    ).exclude(domain="")


def end_links(local: Any, remote: Any) -> int:
    """End every follow and pending follow request, either way, between the accounts of queryset ``local``
    and those of queryset ``remote``, through the identities services (which lock each pair, keep the
    follower and following counts and publish ``Unfollowed``/``FollowRequestDeclined``/…). What those events
    would send to the other server is not sent when it is blocked or the local person no longer federates —
    callers change that first. Returns how many links ended."""
    steps: list[tuple[Any, Callable[[Any], None]]] = [
        (
            Follow.objects.filter(follower__in=remote, followee__in=local),
            lambda e: remove_follower(e.followee, e.follower),
        ),
        (
            Follow.objects.filter(follower__in=local, followee__in=remote),
            lambda e: unfollow_account(e.follower, e.followee),
        ),
        (
            FollowRequest.objects.filter(requester__in=remote, target__in=local),
            lambda e: decline_follow_request(e.target, e.requester),
        ),
        (  # withdrawing a pending request is what unfollowing does to one
            FollowRequest.objects.filter(requester__in=local, target__in=remote),
            lambda e: unfollow_account(e.requester, e.target),
        ),
    ]
    ended = 0
    for edges, end in steps:
        for edge in edges.select_related():
            end(edge)
            ended += 1
    return ended
