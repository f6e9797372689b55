"""Who to follow: friends of friends (accounts followed by the accounts you follow, by how many of them do)
and popular local accounts (by followers), never yourself or anyone you follow, asked to follow, block, are
blocked by, mute, or dismissed. Two bounded queries for the candidates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from spool.identities.access import access_account_by_id
from spool.identities.models import Account, Block, Follow, FollowRequest, Mute, SuggestionDismissal

MAX_SUGGESTIONS = 80
FRIENDS_OF_FRIENDS = "friends_of_friends"
MOST_FOLLOWED = "most_followed"


def _excluded(viewer: Account) -> Q:
    return (
        Q(pk=viewer.pk)
        | Q(pk__in=Follow.objects.filter(follower=viewer).values("followee_id"))
        | Q(pk__in=FollowRequest.objects.filter(requester=viewer).values("target_id"))
        | Q(pk__in=Block.objects.filter(blocker=viewer).values("blocked_id"))
        | Q(pk__in=Block.objects.filter(blocked=viewer).values("blocker_id"))
        | Q(pk__in=Mute.objects.filter(muter=viewer).values("muted_id"))
        | Q(pk__in=SuggestionDismissal.objects.filter(account=viewer).values("dismissed_id"))
    )


def _candidates(viewer: Account) -> QuerySet[Account]:
    return Account.objects.active().local().exclude(_excluded(viewer))


def suggest_accounts(viewer: Account, limit: int = 40) -> list[tuple[Account, list[str]]]:
    """Up to ``limit`` accounts with why each is suggested (``friends_of_friends``, ``most_followed``)."""
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    friends = list(
        _candidates(viewer)
        .filter(follower_edges__follower_id__in=followed)
        .annotate(friends=Count("follower_edges"))
        .order_by("-friends", "-followers_count", "id")[:limit]
    )
    popular = list(
        _candidates(viewer).filter(followers_count__gt=0).order_by("-followers_count", "id")[:limit]
    )
    found: dict[int, tuple[Account, list[str]]] = {a.pk: (a, [FRIENDS_OF_FRIENDS]) for a in friends}
    for account in popular:
        if account.pk in found:
            found[account.pk][1].append(MOST_FOLLOWED)
        else:
            found[account.pk] = (account, [MOST_FOLLOWED])
    return list(found.values())[:limit]


def dismiss_suggestion(viewer: Account, account_id: Any) -> None:
    """Never suggest ``account_id`` to ``viewer`` again (idempotent). ``NotFound`` for an account the viewer
    may not see."""
    try:
        target_id = int(account_id)
    except (TypeError, ValueError):
        target_id = 0
    target = access_account_by_id(viewer, target_id)
    with transaction.atomic():
        SuggestionDismissal.objects.get_or_create(account=viewer, dismissed=target)
