"""How a viewer stands towards many accounts at once, for pages that show many of them.

:func:`relationships` answers for a whole page of accounts in **one** query (a ``UNION ALL`` over the five
edge tables, each side filtered by the viewer and the page's IDs through the unique indexes), whatever the
number of IDs; a logged-out viewer or an empty page costs none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F, IntegerField, QuerySet, Value

from spool.identities.models import Account, Block, Follow, FollowRequest, Mute, Restrict


@dataclass
class Relationship:
    """The viewer's side (``following``, ``requested``, ``blocking``, ``muting``, ``restricting``) and the
    other account's side (``followed_by``, ``requested_by``, ``blocked_by``)."""

    id: int
    following: bool = False
    followed_by: bool = False
    requested: bool = False
    requested_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    restricting: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Which edge table, filtered how, sets which flag: (model, viewer's column, other's column, flag).
_EDGES: tuple[tuple[type[Any], str, str, str], ...] = (
    (Follow, "follower_id", "followee_id", "following"),
    (Follow, "followee_id", "follower_id", "followed_by"),
    (FollowRequest, "requester_id", "target_id", "requested"),
    (FollowRequest, "target_id", "requester_id", "requested_by"),
    (Block, "blocker_id", "blocked_id", "blocking"),
    (Block, "blocked_id", "blocker_id", "blocked_by"),
    (Mute, "muter_id", "muted_id", "muting"),
    (Restrict, "restricter_id", "restricted_id", "restricting"),
)


def relationships(viewer: Account | None, account_ids: Iterable[int]) -> dict[int, Relationship]:
    """A ``Relationship`` for every ID in ``account_ids`` (all false for a logged-out viewer and for the
    viewer's own ID). One query for any number of IDs."""
    ids = list(dict.fromkeys(int(i) for i in account_ids))
    result = {account_id: Relationship(id=account_id) for account_id in ids}
    if viewer is None or not ids:
        return result
    parts: list[QuerySet[Any, Any]] = [
        model.objects.filter(**{mine: viewer.pk, f"{theirs}__in": ids})
        .annotate(other=F(theirs), flag=Value(index, output_field=IntegerField()))
        .values_list("other", "flag")
        .order_by()
        for index, (model, mine, theirs, _) in enumerate(_EDGES)
    ]
    query = parts[0].union(*parts[1:], all=True)
    for other_id, flag_index in query:
        setattr(result[other_id], _EDGES[flag_index][3], True)
    return result


def relationship(viewer: Account | None, account: Account) -> Relationship:
    """The viewer's relationship with one account (one query)."""
    return relationships(viewer, [account.pk])[account.pk]
