"""``/api/v1/tags/:name`` (with ``follow``/``unfollow``) and ``/api/v1/followed_tags``: Spool topics as
Mastodon hashtags. Following a tag follows the topic, which feeds For You (Spool's home stays the Following
feed). Following a name nobody used yet creates the topic, as Mastodon creates the tag."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped, viewer
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.trends import render_tags
from spool.core.errors import NotFound
from spool.feeds.for_you.topics import follow_topic, topic_follows, unfollow_topic
from spool.posts.services import find_topic

router = Router(tags=["tags"])


@router.get("/v1/tags/{name}", auth=scoped("read", optional=True))
def tag(request: HttpRequest, name: str) -> dict[str, Any]:
    """The topic with its week of history and whether the caller follows it."""
    topic = find_topic(name)
    if topic is None:
        raise NotFound("Record not found")
    return render_tags(viewer(request), [topic])[0]


@router.post("/v1/tags/{name}/follow", auth=scoped("write:follows"))
def follow(request: HttpRequest, name: str) -> dict[str, Any]:
    return render_tags(me(request), [follow_topic(me(request), name)])[0]


@router.post("/v1/tags/{name}/unfollow", auth=scoped("write:follows"))
def unfollow(request: HttpRequest, name: str) -> dict[str, Any]:
    return render_tags(me(request), [unfollow_topic(me(request), name)])[0]


@router.get("/v1/followed_tags", auth=scoped("read:follows"))
def followed_tags(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    """Newest follow first, paged by the follow's ID (``limit`` 100, at most 200)."""
    window = Window.from_request(request, default=100, cap=200)
    rows = window.apply(topic_follows(me(request)))
    link_header(request, response, [r.id for r in rows])
    return render_tags(me(request), [r.topic for r in rows])
