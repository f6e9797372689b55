"""Finding people: account search and "followed by people you follow" (reads, used by the APIs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Case, IntegerField, Q, Value, When

from spool.identities.models import Account, Follow, exclude_blocked

MAX_QUERY = 100


def search_accounts(
    viewer: Account | None, query: str, *, limit: int = 40, offset: int = 0, following: bool = False
) -> list[Account]:
    """Accounts ``viewer`` may see whose handle starts with ``query`` (a leading ``@`` and this server's
    domain ignored) or whose display name contains it; an exact handle first, then by followers.
    ``following`` keeps only accounts the viewer follows. An empty query finds nobody."""
    term = query.strip().lstrip("@").split("@", 1)[0][:MAX_QUERY]
    if not term:
        return []
    qs = Account.objects.visible_to(viewer).filter(
        Q(handle__istartswith=term) | Q(display_name__icontains=term)
    )
    if following:
        if viewer is None:
            return []
        qs = qs.filter(pk__in=Follow.objects.filter(follower=viewer).values("followee_id"))
    qs = qs.annotate(
        exact=Case(When(handle__iexact=term, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("exact", "-followers_count", "id")
    return list(qs[offset : offset + limit])


def familiar_followers(viewer: Account, account_ids: Sequence[int]) -> dict[int, list[Account]]:
    """For each of ``account_ids``, the accounts ``viewer`` follows that follow it (active, no block either
    way), most recent follow first. One query for all IDs."""
    result: dict[int, list[Account]] = defaultdict(list)
    if not account_ids:
        return result
    edges = exclude_blocked(
        Follow.objects.filter(
            followee_id__in=list(account_ids),
            follower_id__in=Follow.objects.filter(follower=viewer).values("followee_id"),
            follower__is_active=True,
        ),
        viewer,
        field="follower_id",
    ).select_related("follower")
    for edge in edges.order_by("-id"):
        result[edge.followee_id].append(edge.follower)
    return result
