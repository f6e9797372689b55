"""``/api/spool/v1/communities/``: the directory, one community, joining and leaving, flair, the ranked
community feed (Top or Recent, cursor-paginated), and creating one (moderators). Thin: each endpoint calls
one service or read of ``spool.communities``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from spool.api.common.auth import current_account
from spool.api.native.posts import PostOut, TopicOut, _viewer, post_out
from spool.api.native.trending import topic_out
from spool.communities import services
from spool.communities.models import Community, Membership
from spool.communities.reads import access_community, community_feed, list_communities, membership_of

router = Router(tags=["communities"])


class MembershipOut(Schema):
    joined_at: datetime
    flair: str
    leader: bool


class CommunityOut(Schema):
    id: str
    slug: str
    name: str
    description: str
    topic: TopicOut
    like_emoji: str
    flair_options: list[str]
    members_count: int
    url: str
    membership: MembershipOut | None = None


class CommunityList(Schema):
    items: list[CommunityOut]
    next_cursor: str | None


class CommunityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    topic: str
    name: str
    slug: str = ""
    description: str = ""
    like_emoji: str = ""
    flair_options: list[str] = []


class FlairIn(Schema):
    model_config = ConfigDict(extra="forbid")

    flair: str


class FeedItemOut(Schema):
    post: PostOut
    flair: str
    leader: bool


class FeedPage(Schema):
    items: list[FeedItemOut]
    next_cursor: str | None


def membership_out(membership: Membership | None) -> dict[str, Any] | None:
    if membership is None:
        return None
    return {"joined_at": membership.joined_at, "flair": membership.flair, "leader": membership.is_leader}


def community_out(community: Community, membership: Membership | None = None) -> dict[str, Any]:
    return {
        "id": str(community.id),
        "slug": community.slug,
        "name": community.name,
        "description": community.description,
        "topic": topic_out(community.topic),
        "like_emoji": community.like_emoji,
        "flair_options": community.flair_options,
        "members_count": community.members_count,
        "url": f"/c/{community.slug}",
        "membership": membership_out(membership),
    }


def _fresh(request: HttpRequest, slug: str) -> dict[str, Any]:
    found = access_community(slug)
    return community_out(found, membership_of(_viewer(request), found))


@router.get("", auth=None, response=CommunityList)
def directory(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    """Every community, newest first."""
    rows, next_cursor = list_communities(cursor)
    return {
        "items": [community_out(c) for c in rows],
        "next_cursor": str(next_cursor) if next_cursor else None,
    }


@router.post("", response={201: CommunityOut})
def create(request: HttpRequest, payload: CommunityIn) -> Status[dict[str, Any]]:
    """Moderators: start a community for a topic."""
    made = services.create_community(current_account(request), **payload.model_dump())
    return Status(201, _fresh(request, made.slug))


@router.get("{slug}", auth=None, response=CommunityOut)
def show(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One community, with the caller's membership when signed in."""
    return _fresh(request, slug)


@router.post("{slug}/join", response=CommunityOut)
def join(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Join (idempotent)."""
    services.join_community(current_account(request), slug)
    return _fresh(request, slug)


@router.post("{slug}/leave", response=CommunityOut)
def leave(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Leave (idempotent)."""
    services.leave_community(current_account(request), slug)
    return _fresh(request, slug)


@router.put("{slug}/flair", response=CommunityOut)
def flair(request: HttpRequest, slug: str, payload: FlairIn) -> dict[str, Any]:
    """Pick one of the community's flair options ("" clears it); members only."""
    services.set_flair(current_account(request), slug, payload.flair)
    return _fresh(request, slug)


@router.get("{slug}/feed", auth=None, response=FeedPage)
def feed(
    request: HttpRequest, slug: str, sort: str = "top", cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """The community feed: ``sort=top`` (engagement with recency decay) or ``recent``; pass ``next_cursor``
    back as ``cursor``."""
    page = community_feed(_viewer(request), access_community(slug), sort, cursor, limit)
    return {
        "items": [{"post": post_out(i.card), "flair": i.flair, "leader": i.leader} for i in page.items],
        "next_cursor": page.next_cursor,
    }
