"""Mastodon ``Tag`` (and the short ``Status::Tag``) from Spool topics. A post has at most one topic, so a
status carries at most one tag; topic names may contain spaces, which Mastodon hashtags cannot."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from spool.api.mastodon.entities.common import absolute
from spool.identities.models import Account
from spool.posts.models import Topic


def topic_url(topic: Topic) -> str:
    return absolute(f"/topic/{quote(topic.display, safe='')}")


def status_tag(topic: Topic) -> dict[str, Any]:
    return {"name": topic.display, "url": topic_url(topic)}


def render_tag(
    topic: Topic,
    viewer: Account | None = None,
    history: list[dict[str, Any]] | None = None,
    *,
    following: bool = False,
) -> dict[str, Any]:
    """A Tag. ``following`` (whether the viewer follows the topic, as the caller found out) is null for
    anonymous readers, as Mastodon answers them; ``history`` is what the caller computed (trends do)."""
    return {
        "id": str(topic.id),
        "name": topic.display,
        "url": topic_url(topic),
        "history": history or [],
        "following": following if viewer is not None else None,
        "featuring": False if viewer is not None else None,
        "spool": {"posts_count": topic.posts_count},
    }
