"""``/api/v1/media`` and ``/api/v2/media``: uploading images (processed at once, so both answer 200 with
the attachment), reading and updating one's own (alt text and focal point, before or after attaching)."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_media
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import NotFound, ValidationError
from spool.posts import services
from spool.posts.access import parse_post_id
from spool.posts.models import Media

router = Router(tags=["media"])


class MediaIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    description: str | None = None
    focus: str | None = None


def _upload(request: HttpRequest) -> dict[str, Any]:
    params = read_params(request)
    upload = params.pop("file", None)
    params.pop("thumbnail", None)  # Spool makes no video thumbnails
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError("Validation failed: file is required", code="invalid", field="file")
    data = validated(MediaIn, params)
    media = services.upload_media(me(request), upload, alt_text=data.description or "", focus=data.focus)
    return render_media(media)


@router.post("/v2/media", auth=scoped("write:media"))
def upload_v2(request: HttpRequest) -> dict[str, Any]:
    return _upload(request)


@router.post("/v1/media", auth=scoped("write:media"))
def upload_v1(request: HttpRequest) -> dict[str, Any]:
    return _upload(request)


@router.get("/v1/media/{media_id}", auth=scoped("write:media"))
def get_media(request: HttpRequest, media_id: str) -> dict[str, Any]:
    """One of one's own uploads (others': 404)."""
    try:
        media = Media.objects.filter(id=parse_post_id(media_id), owner=me(request)).first()
    except NotFound:
        media = None
    if media is None:
        raise NotFound("Record not found")
    return render_media(media)


@router.put("/v1/media/{media_id}", auth=scoped("write:media"))
def update_media(request: HttpRequest, media_id: str) -> dict[str, Any]:
    """Change ``description`` (alt text) and/or ``focus`` (``"x,y"``) of one's own image."""
    data = validated(MediaIn, read_params(request))
    media = services.update_media(me(request), media_id, alt_text=data.description, focus=data.focus)
    return render_media(media)
