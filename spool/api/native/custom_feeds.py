"""``/api/spool/v1/feeds/``: custom feeds (create, read, change, delete, create from a search, add a
profile), pins and their order, the default feed, the switcher's entries, and reading every unranked feed
(a custom feed, Liked, Saved, Fediverse, a topic's Top and Recent).

Thin: each endpoint calls one service or read function of :mod:`spool.feeds.custom`. Bodies are taken
loosely typed so the services' checks give the error (``{"error", "code", "field"}``, 4xx). A feed that is
missing and one the caller may not read or change are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from spool.api.common.auth import current_account
from spool.api.native.posts import PostAuthor, PostPage, author_out, post_out
from spool.core.errors import ValidationError
from spool.core.requests import signed_in_account
from spool.feeds.custom import menu
from spool.feeds.custom import services as feeds
from spool.feeds.custom.access import access_feed, own_feeds, profile_handles, shared_feeds_of
from spool.feeds.custom.models import CustomFeed
from spool.feeds.custom.pipeline import (
    FeedPage,
    custom_feed_page,
    fediverse_page,
    liked_page,
    saved_page,
    topic_feed_page,
)
from spool.identities.access import access_account
from spool.identities.models import Account

router = Router(tags=["feeds"])


# --- Schemas ----------------------------------------------------------------------------------------------


class FeedIn(Schema):
    name: Any = None
    mode: Any = None
    topics: Any = None
    profiles: Any = None
    keywords: Any = None
    shared: Any = False


class FeedChange(FeedIn):
    shared: Any = None


class SearchIn(Schema):
    q: Any = None
    name: Any = None
    mode: Any = None


class ProfileIn(Schema):
    profile: Any = None


class OrderIn(Schema):
    feed_ids: Any = None


class DefaultIn(Schema):
    default: Any = None


class FeedProfile(Schema):
    id: str
    handle: str


class FeedOut(Schema):
    id: str
    name: str
    mode: str
    topics: list[str]
    profiles: list[FeedProfile]
    keywords: list[str]
    shared: bool
    pinned: bool
    owner: PostAuthor
    url: str


class FeedList(Schema):
    items: list[FeedOut]


class MenuEntryOut(Schema):
    key: str
    label: str
    feed_id: str | None
    community: str | None = None  # a joined community's slug (its feed: /communities/{slug}/feed)


class MenuOut(Schema):
    entries: list[MenuEntryOut]
    default: str


class DefaultOut(Schema):
    default: str


# --- Shaping ------------------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Account | None:
    account: Account | None = signed_in_account(request)
    return account


def feeds_out(viewer: Account | None, found: list[CustomFeed]) -> list[dict[str, Any]]:
    """The feeds as JSON: two queries whatever their number (profile handles; the viewer's pins)."""
    handles = profile_handles(found)
    pinned = menu.pinned_among(viewer, found)
    return [
        {
            "id": str(f.id),
            "name": f.name,
            "mode": f.mode,
            "topics": f.topics,
            "profiles": [{"id": str(p), "handle": handles[p]} for p in f.profiles if p in handles],
            "keywords": f.keywords,
            "shared": f.is_shared,
            "pinned": f.id in pinned,
            "owner": author_out(f.owner),
            "url": f"/feeds/{f.id}",
        }
        for f in found
    ]


def _one(viewer: Account | None, feed: CustomFeed) -> dict[str, Any]:
    return feeds_out(viewer, [feed])[0]


def _page(page: FeedPage) -> dict[str, Any]:
    return {"items": [post_out(c) for c in page.items], "next_cursor": page.next_cursor}


def _limit(limit: int) -> int:
    return max(1, min(limit, 40))


# --- Definitions ------------------------------------------------------------------------------------------


@router.get("", response=FeedList)
def list_feeds(request: HttpRequest) -> dict[str, Any]:
    """Your feeds, newest first."""
    viewer = current_account(request)
    return {"items": feeds_out(viewer, own_feeds(viewer))}


@router.post("", response={201: FeedOut})
def create(request: HttpRequest, payload: FeedIn) -> Status[dict[str, Any]]:
    """Create a feed: ``name`` (≤ 50), ``mode`` (``top`` | ``recent``), ``topics`` (≤ 10), ``profiles``
    (handles or IDs, ≤ 50), ``keywords`` (≤ 10), ``shared``. At least one topic, profile or keyword."""
    viewer = current_account(request)
    data = payload.dict()
    shared = data.pop("shared")
    if not isinstance(shared, bool):
        raise ValidationError("shared must be true or false.", code="invalid", field="shared")
    feed = feeds.create_feed(viewer, data, shared=shared)
    return Status(201, _one(viewer, feed))


@router.post("from-search", response={201: FeedOut})
def create_from_search(request: HttpRequest, payload: SearchIn) -> Status[dict[str, Any]]:
    """Create a feed from a search query: ``#tags`` become topics, other words keywords."""
    viewer = current_account(request)
    feed = feeds.create_feed_from_search(viewer, payload.q, name=payload.name, mode=payload.mode)
    return Status(201, _one(viewer, feed))


# --- The switcher, pins and the default ------------------------------------------------------------------


@router.get("menu", response=MenuOut)
def switcher(request: HttpRequest) -> dict[str, Any]:
    """The feed switcher's entries in order, and the key of the feed the home page opens."""
    viewer = current_account(request)
    pinned = menu.pinned_feeds(viewer)
    entries = menu.feed_menu(viewer, pinned)
    return {
        "entries": [
            {
                "key": e.key,
                "label": e.label,
                "feed_id": str(e.feed.id) if e.feed else None,
                "community": e.community.slug if e.community else None,
            }
            for e in entries
        ],
        "default": menu.default_feed(viewer, pinned),
    }


@router.get("pins", response=FeedList)
def pins(request: HttpRequest) -> dict[str, Any]:
    """Your pinned feeds, in order."""
    viewer = current_account(request)
    return {"items": feeds_out(viewer, menu.pinned_feeds(viewer))}


@router.put("pins", response=FeedList)
def reorder(request: HttpRequest, payload: OrderIn) -> dict[str, Any]:
    """Reorder your pins: ``feed_ids`` names every pinned feed exactly once, in the new order."""
    viewer = current_account(request)
    feeds.reorder_pins(viewer, payload.feed_ids)
    return {"items": feeds_out(viewer, menu.pinned_feeds(viewer))}


@router.get("default", response=DefaultOut)
def get_default(request: HttpRequest) -> dict[str, Any]:
    viewer = current_account(request)
    return {"default": menu.default_feed(viewer)}


@router.put("default", response=DefaultOut)
def put_default(request: HttpRequest, payload: DefaultIn) -> dict[str, Any]:
    """``following``, ``for_you`` or the ID of a feed you pinned."""
    viewer = current_account(request)
    feeds.set_default_feed(viewer, payload.default)
    return {"default": menu.default_feed(viewer)}


# --- Built-in feeds ----------------------------------------------------------------------------------------


@router.get("liked", response=PostPage)
def liked(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Posts you liked, newest like first."""
    return _page(liked_page(current_account(request), cursor, _limit(limit)))


@router.get("saved", response=PostPage)
def saved(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Posts you saved, newest save first."""
    return _page(saved_page(current_account(request), cursor, _limit(limit)))


@router.get("fediverse", response=PostPage)
def fediverse(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Posts by remote accounts you follow, newest first (empty until federation)."""
    return _page(fediverse_page(current_account(request), cursor, _limit(limit)))


@router.get("topic/{name}", auth=None, response=PostPage)
def topic(
    request: HttpRequest, name: str, mode: str = "recent", cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """A topic's posts and replies: ``mode`` ``recent`` (newest first) or ``top``."""
    return _page(topic_feed_page(_viewer(request), name, mode, cursor, _limit(limit)))


@router.get("by/{handle}", auth=None, response=FeedList)
def shared_by(request: HttpRequest, handle: str) -> dict[str, Any]:
    """A profile's shared feeds (its Feeds tab)."""
    viewer = _viewer(request)
    return {"items": feeds_out(viewer, shared_feeds_of(viewer, access_account(viewer, handle)))}


# --- One feed ----------------------------------------------------------------------------------------------


@router.get("{feed_id}", auth=None, response=FeedOut)
def get_feed(request: HttpRequest, feed_id: str) -> dict[str, Any]:
    viewer = _viewer(request)
    return _one(viewer, access_feed(viewer, feed_id))


@router.patch("{feed_id}", response=FeedOut)
def change(request: HttpRequest, feed_id: str, payload: FeedChange) -> dict[str, Any]:
    """Change your feed: fields given replace the stored ones."""
    viewer = current_account(request)
    return _one(viewer, feeds.update_feed(viewer, feed_id, payload.dict(exclude_unset=True)))


@router.delete("{feed_id}", response={204: None})
def delete(request: HttpRequest, feed_id: str) -> Status[None]:
    feeds.delete_feed(current_account(request), feed_id)
    return Status(204, None)


@router.get("{feed_id}/posts", auth=None, response=PostPage)
def read(
    request: HttpRequest, feed_id: str, cursor: str | None = None, limit: int = 20, mode: str | None = None
) -> dict[str, Any]:
    """A page of the feed as you see it; ``mode`` overrides its order (``top`` | ``recent``)."""
    viewer = _viewer(request)
    feed = access_feed(viewer, feed_id)
    return _page(custom_feed_page(viewer, feed, cursor, _limit(limit), mode=mode))


@router.post("{feed_id}/pin", response={204: None})
def pin(request: HttpRequest, feed_id: str) -> Status[None]:
    """Pin a feed you may read to the end of your switcher (idempotent)."""
    feeds.pin_feed(current_account(request), feed_id)
    return Status(204, None)


@router.delete("{feed_id}/pin", response={204: None})
def unpin(request: HttpRequest, feed_id: str) -> Status[None]:
    feeds.unpin_feed(current_account(request), feed_id)
    return Status(204, None)


@router.post("{feed_id}/profiles", response=FeedOut)
def add_profile(request: HttpRequest, feed_id: str, payload: ProfileIn) -> dict[str, Any]:
    """Add a profile (handle or ID) to your feed."""
    viewer = current_account(request)
    return _one(viewer, feeds.add_profile_to_feed(viewer, feed_id, payload.profile))
