"""The feed switcher: which feeds a person can switch between on the home page, in order, and which one
``/`` opens. :func:`feed_menu` is the one place entries are made — add an entry kind here and every front
door (the web switcher, the native API's ``/feeds/menu``) shows it. For You and the communities the person
joined are entries that open their own pages (``/for-you``, ``/c/<slug>``)."""

from __future__ import annotations

from dataclasses import dataclass

from spool.communities.models import Community
from spool.communities.reads import joined_communities
from spool.feeds.custom.access import readable_feeds
from spool.feeds.custom.models import CustomFeed, DefaultFeed, FeedPin, FeedPreference
from spool.identities.models import Account

FOLLOWING, FOR_YOU, LIKED, SAVED, FEDIVERSE = "following", "for_you", "liked", "saved", "fediverse"
BUILT_IN = {
    FOLLOWING: "Following",
    FOR_YOU: "For You",
    LIKED: "Liked",
    SAVED: "Saved",
    FEDIVERSE: "Fediverse",
}


@dataclass(frozen=True)
class MenuEntry:
    """One switcher entry. ``key`` names it in URLs (``/?feed=<key>``): a built-in name, or a custom feed's
    ID; ``feed`` is set for custom feeds. A joined community's key is ``community:<slug>`` and ``community``
    is set: it opens the community's own page, not a panel of the home page."""

    key: str
    label: str
    feed: CustomFeed | None = None
    community: Community | None = None

    @property
    def is_custom(self) -> bool:
        return self.feed is not None


def pinned_feeds(viewer: Account) -> list[CustomFeed]:
    """The feeds ``viewer`` pinned and may still read (a shared feed its owner stopped sharing drops
    out), in their order: one query."""
    pins = (
        FeedPin.objects.filter(account_id=viewer.id, feed_id__in=readable_feeds(viewer).values("id"))
        .select_related("feed__owner")
        .order_by("position", "id")
    )
    return [pin.feed for pin in pins]


def pinned_among(viewer: Account | None, feeds: list[CustomFeed]) -> set[int]:
    """Which of ``feeds`` ``viewer`` pinned: one query (none for a visitor or no feeds)."""
    if viewer is None or not feeds:
        return set()
    pins = FeedPin.objects.filter(account_id=viewer.id, feed_id__in=[f.id for f in feeds])
    return set(pins.values_list("feed_id", flat=True))


def feed_menu(viewer: Account, pinned: list[CustomFeed] | None = None) -> list[MenuEntry]:
    """Following, For You (its own page), the pinned custom feeds in their order, the communities the viewer
    joined (by name; joining pins one), then Liked, Saved and Fediverse. One query for the communities (and
    one for the pins without ``pinned``)."""
    feeds = pinned_feeds(viewer) if pinned is None else pinned
    return [
        MenuEntry(FOLLOWING, BUILT_IN[FOLLOWING]),
        MenuEntry(FOR_YOU, BUILT_IN[FOR_YOU]),
        *(MenuEntry(str(feed.id), feed.name, feed) for feed in feeds),
        *(MenuEntry(f"community:{c.slug}", c.name, community=c) for c in joined_communities(viewer)),
        MenuEntry(LIKED, BUILT_IN[LIKED]),
        MenuEntry(SAVED, BUILT_IN[SAVED]),
        MenuEntry(FEDIVERSE, BUILT_IN[FEDIVERSE]),
    ]


def default_feed(viewer: Account, pinned: list[CustomFeed] | None = None) -> str:
    """The key of the feed ``/`` opens: ``following``, ``for_you`` (the front door falls back to Following
    while it has no For You page) or a pinned feed's ID — Following again when that feed is no longer
    pinned or readable. One query (two without ``pinned``)."""
    preference = FeedPreference.objects.filter(account_id=viewer.id).first()
    if preference is None or preference.default == DefaultFeed.FOLLOWING:
        return FOLLOWING
    if preference.default == DefaultFeed.FOR_YOU:
        return DefaultFeed.FOR_YOU
    feeds = pinned_feeds(viewer) if pinned is None else pinned
    if preference.feed_id is not None and any(f.id == preference.feed_id for f in feeds):
        return str(preference.feed_id)
    return FOLLOWING
