"""``/api/spool/v1/search/``: posts (Top or Recent, tag mode, media filter), profiles and topics, through
:mod:`spool.search` — the same services as the web app's search page and Mastodon's ``/api/v2/search``.

Open to logged-out visitors: profiles and topics freely; posts too (public posts only, as Threads allows),
rate-limited per network address. Every list pages with an opaque ``next_cursor``. Bad input is a 4xx
``{"error", "code", "field"}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from ninja import Router, Schema

from spool.api.native.accounts import AccountOut, account_out
from spool.api.native.posts import PostOut, post_out
from spool.core.requests import client_address, signed_in_account
from spool.search import profiles, reads

router = Router(tags=["search"])


class PostResults(Schema):
    items: list[PostOut]
    next_cursor: str | None
    topic: str | None  # tag mode: the topic's name as displayed


class ProfileResults(Schema):
    items: list[AccountOut]
    next_cursor: str | None


class TopicOut(Schema):
    name: str
    display: str
    posts_count: int
    url: str


class TopicResults(Schema):
    items: list[TopicOut]
    next_cursor: str | None


@router.get("posts", auth=None, response=PostResults)
def search_posts(
    request: HttpRequest,
    q: str = "",
    tab: str = "top",
    media: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Posts matching ``q`` (words, ``"phrases"``, ``or``, ``-word``; ``#topic`` alone for tag mode).
    ``tab``: ``top`` (relevance * engagement * recency) or ``recent`` (newest first); ``media``: ``images``,
    ``video``, ``none`` or empty for any."""
    viewer = signed_in_account(request)
    if viewer is None:
        reads.count_anonymous_search(client_address(request))
    page = reads.search_posts(viewer, q, tab=tab, media=media or None, cursor=cursor, limit=limit)
    return {
        "items": [post_out(c) for c in page.items],
        "next_cursor": page.next_cursor,
        "topic": page.topic.display if page.topic else None,
    }


@router.get("profiles", auth=None, response=ProfileResults)
def search_profiles(
    request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """Profiles whose handle or display name starts with ``q``, most followed first; ``@user@server`` finds
    that exact account."""
    page = profiles.search_profiles(signed_in_account(request), q, cursor=cursor, limit=limit)
    return {"items": [account_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.get("topics", auth=None, response=TopicResults)
def search_topics(
    request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """Topics whose name starts with ``q`` (``#`` optional), most used first."""
    page = profiles.search_topics(q, cursor=cursor, limit=limit)
    return {
        "items": [
            {
                "name": t.name,
                "display": t.display,
                "posts_count": t.posts_count,
                "url": f"/topic/{quote(t.name)}",
            }
            for t in page.items
        ],
        "next_cursor": page.next_cursor,
    }
