"""Mastodon ``MediaAttachment`` from Spool images (an uploaded ``Media`` row or a card's ``MediaCard``)."""

from __future__ import annotations

from typing import Any

from spool.api.mastodon.entities.common import absolute
from spool.posts.batch import MediaCard
from spool.posts.models import Media


def _meta(width: int, height: int) -> dict[str, Any] | None:
    if not (width and height):
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def media_entity(
    media_id: int,
    url: str,
    width: int,
    height: int,
    alt_text: str,
    focus: tuple[float, float] = (0.0, 0.0),
    remote_url: str = "",
) -> dict[str, Any]:
    meta = _meta(width, height)
    full = absolute(url)
    return {
        "id": str(media_id),
        # Spool stores still images only (GIFs are re-encoded to their first frame).
        "type": "image",
        "url": full,
        "preview_url": full,
        "remote_url": remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": meta, "small": meta, "focus": {"x": focus[0], "y": focus[1]}},
        "description": alt_text or None,
        "blurhash": None,
    }


def render_media(media: Media | MediaCard) -> dict[str, Any]:
    if isinstance(media, MediaCard):
        return media_entity(
            media.id, media.url, media.width, media.height, media.alt_text, remote_url=media.remote_url
        )
    return media_entity(
        media.id,
        media.file.url,
        media.width,
        media.height,
        media.alt_text,
        (media.focus_x, media.focus_y),
    )
