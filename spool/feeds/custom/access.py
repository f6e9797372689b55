"""Who may read a custom feed: its owner always; anyone else only a shared feed whose owner's posts they
may see (active, no block either way, public or followed). Missing and forbidden give the same
``NotFound``, so a private feed's existence never leaks."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from spool.core.errors import NotFound
from spool.feeds.custom.models import CustomFeed
from spool.identities.models import Account, Block, Follow


def _readable(viewer: Account | None) -> Q:
    shared = Q(is_shared=True, owner__is_active=True)
    if viewer is None:
        return shared & Q(owner__is_private=False)
    following = Follow.objects.filter(follower_id=viewer.id).values("followee_id")
    blocked = Block.objects.filter(blocker_id=viewer.id).values("blocked_id")
    blockers = Block.objects.filter(blocked_id=viewer.id).values("blocker_id")
    others = (
        shared
        & (Q(owner__is_private=False) | Q(owner_id__in=following))
        & ~Q(owner_id__in=blocked)
        & ~Q(owner_id__in=blockers)
    )
    return Q(owner_id=viewer.id) | others


def readable_feeds(viewer: Account | None) -> QuerySet[CustomFeed]:
    """Feeds ``viewer`` (``None`` = logged out) may read, owners joined."""
    return CustomFeed.objects.filter(_readable(viewer)).select_related("owner")


def _feed_id(feed_id: Any) -> int:
    try:
        value = int(feed_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if value <= 0:
        raise NotFound()
    return value


def access_feed(viewer: Account | None, feed_id: Any) -> CustomFeed:
    """The feed ``viewer`` may read; ``NotFound`` when it is missing or they may not."""
    feed = readable_feeds(viewer).filter(pk=_feed_id(feed_id)).first()
    if feed is None:
        raise NotFound()
    return feed


def owned_feed(owner: Account, feed_id: Any, *, lock: bool = False) -> CustomFeed:
    """``owner``'s own feed (to change it); ``NotFound`` for anyone else's, as for a missing one."""
    qs = CustomFeed.objects.filter(owner_id=owner.id, pk=_feed_id(feed_id))
    feed = (qs.select_for_update() if lock else qs).first()
    if feed is None:
        raise NotFound()
    return feed


def shared_feeds_of(viewer: Account | None, account: Account, limit: int = 50) -> list[CustomFeed]:
    """``account``'s shared feeds ``viewer`` may read (the profile's Feeds tab), newest first."""
    qs = readable_feeds(viewer).filter(owner_id=account.id, is_shared=True)
    return list(qs.order_by("-id")[:limit])


def own_feeds(owner: Account) -> list[CustomFeed]:
    """Every feed ``owner`` made, newest first (bounded by ``MAX_FEEDS``)."""
    return list(CustomFeed.objects.filter(owner_id=owner.id).select_related("owner").order_by("-id"))


def profile_handles(feeds: list[CustomFeed]) -> dict[int, str]:
    """The handle (``ana``, or ``ana@server.example`` for a remote account) of every active profile the
    ``feeds`` select, to show their definitions: one query for all of them."""
    ids = {p for feed in feeds for p in feed.profiles}
    if not ids:
        return {}
    rows = Account.objects.filter(pk__in=ids, is_active=True).values_list("id", "handle", "domain")
    return {pk: f"{handle}@{domain}" if domain else handle for pk, handle, domain in rows}
