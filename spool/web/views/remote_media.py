"""``/media/remote/<id>``: a remote image (attachment, avatar, header), fetched on first view and served
from our own copy afterwards (:mod:`spool.media.remote`). When it cannot be had the answer is a
placeholder image — never an error page inside an ``<img>``, never a 500 — and the page around it links to
the original."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from spool.federation.policy import dev_mode
from spool.media.remote import open_image

PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300" role="img" '
    'aria-label="Image unavailable"><rect width="400" height="300" fill="#e5e5e5"/>'
    '<text x="200" y="155" font-family="sans-serif" font-size="20" fill="#666" text-anchor="middle">'
    "Image unavailable</text></svg>"
)


@require_GET
def remote_image(request: HttpRequest, image_id: int) -> HttpResponseBase:
    cached = open_image(image_id, allow_private=True if dev_mode() else None)
    response: HttpResponse | FileResponse
    if cached is None:
        response = HttpResponse(PLACEHOLDER, content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        response["X-Spool-Media"] = "unavailable"
    else:
        response = FileResponse(default_storage.open(cached.name, "rb"), content_type=cached.content_type)
        response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
