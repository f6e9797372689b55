"""``/api/v1/trends``: trending topics (as Tags with a week of history) and statuses, both read from what the
beat jobs precomputed (the trending snapshot, the ``trending_posts`` pool); Spool has no link trends yet
(``/links`` answers an empty list). Open to anonymous visitors, as on Mastodon."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import scoped, viewer
from spool.api.mastodon.entities import render_tag
from spool.api.mastodon.filters import render_screened
from spool.core.errors import ValidationError
from spool.feeds.for_you.topics import followed_among
from spool.feeds.trending.history import DayUse, topic_history
from spool.feeds.trends import trending_posts, trending_topics
from spool.identities.models import Account
from spool.posts.models import Topic

router = Router(tags=["trends"])


def history_entity(history: list[DayUse]) -> list[dict[str, str]]:
    return [{"day": str(d.timestamp), "uses": str(d.uses), "accounts": str(d.accounts)} for d in history]


def render_tags(viewer: Account | None, topics: list[Topic]) -> list[dict[str, Any]]:
    """Tags with their week of history (one query for the page)."""
    histories = topic_history([t.id for t in topics]) if topics else {}
    followed = followed_among(viewer, [t.id for t in topics]) if topics else set()
    return [
        render_tag(t, viewer, history_entity(histories[t.id]), following=t.id in followed) for t in topics
    ]


def int_param(request: HttpRequest, name: str, default: int, cap: int) -> int:
    raw = request.GET.get(name) or str(default)
    try:
        return max(0, min(int(raw), cap))
    except ValueError:
        raise ValidationError(f"Validation failed: {name} must be a number", field=name) from None


@router.get("/v1/trends/tags", auth=scoped("read", optional=True))
def tags(request: HttpRequest) -> list[dict[str, Any]]:
    limit = max(1, int_param(request, "limit", 10, 20))
    found = trending_topics(limit, int_param(request, "offset", 0, 1000))
    who = viewer(request)
    followed = followed_among(who, [t.topic.id for t in found]) if found else set()
    return [
        render_tag(t.topic, who, history_entity(t.history), following=t.topic.id in followed) for t in found
    ]


@router.get("/v1/trends/statuses", auth=scoped("read", optional=True))
def statuses(request: HttpRequest) -> list[dict[str, Any]]:
    who = viewer(request)
    limit = max(1, int_param(request, "limit", 20, 40))
    posts = trending_posts(who, limit, int_param(request, "offset", 0, 1000))
    return render_screened(who, posts, "public")


@router.get("/v1/trends/links", auth=scoped("read", optional=True))
def links(request: HttpRequest) -> list[dict[str, Any]]:
    return []
