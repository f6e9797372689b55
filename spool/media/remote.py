"""Remote images — attachments of remote posts, avatars and headers of remote accounts — kept as
references and fetched the first time someone views them.

:func:`remember_image` stores the reference (any ``http(s)`` URL; nothing is fetched then, so receiving a
post never makes us contact a third server). :func:`open_image` is called by the view behind
:func:`image_url` (``/media/remote/<id>``): it serves the cached copy when there is one younger than
:data:`REFETCH_AFTER`; otherwise it fetches the image through the SSRF-safe fetcher (public addresses only,
unless the caller is in federation's development mode; time and ``SPOOL.federation_remote_media_max_bytes``
limits; the declared type must be JPEG, PNG, GIF or WebP), re-validates the bytes themselves (the type is
read from the content, and pixel bombs are refused, as for uploads), stores the copy and serves it. A
failure answers ``None`` — the view shows a placeholder and the page links to the original — and is not
retried for :data:`RETRY_FAILED_AFTER`; a failed refresh keeps serving the copy we have.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from spool.core.errors import ValidationError
from spool.core.fetch import FetchError, fetch
from spool.media.images import identify_image
from spool.media.models import RemoteImage

log = logging.getLogger(__name__)

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
REFETCH_AFTER = timedelta(days=7)
RETRY_FAILED_AFTER = timedelta(minutes=15)
URL_MAX = 2000


@dataclass(frozen=True)
class CachedImage:
    name: str  # in default storage
    content_type: str


def reference_name(image_id: int) -> str:
    """The storage-relative name every remote image is shown at (``Account.avatar`` holds it for remote
    avatars, so every place that renders ``avatar.url`` shows the lazily fetched copy)."""
    return f"remote/{image_id}"


def image_url(image_id: int) -> str:
    """Where pages and APIs show a remote image: ``MEDIA_URL`` + ``remote/<id>``, served by our view."""
    return default_storage.url(reference_name(image_id))


def usable_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= URL_MAX


def remember_image(
    url: str,
    kind: str,
    *,
    post_id: int | None = None,
    account_id: int | None = None,
    position: int = 0,
    alt_text: str = "",
    declared_type: str = "",
) -> RemoteImage | None:
    """Keep a reference to the image at ``url`` for a post (``attachment``) or an account (``avatar``,
    ``header``; a newer reference of the same kind replaces the old one). ``None`` when the URL is not
    ``http(s)`` or the declared type is not an image we show. Fetches nothing."""
    if not usable_url(url) or (declared_type and declared_type.lower() not in IMAGE_TYPES):
        return None
    if account_id is not None and kind != RemoteImage.Kind.ATTACHMENT:
        current = RemoteImage.objects.filter(account_id=account_id, kind=kind).first()
        if current is not None and current.url == url:
            return current
        RemoteImage.objects.filter(account_id=account_id, kind=kind).delete()
    return RemoteImage.objects.create(
        url=url,
        kind=kind,
        post_id=post_id,
        account_id=account_id,
        position=position,
        alt_text=(alt_text or "")[:1000],
    )


def open_image(image_id: int, *, allow_private: bool | None = None) -> CachedImage | None:
    """The cached copy of remote image ``image_id``, fetched now when missing or stale (see the module
    docstring); ``None`` when there is no such image or it cannot be had."""
    image = RemoteImage.objects.filter(id=image_id).first()
    if image is None:
        return None
    now = timezone.now()
    cached = _cached(image)
    if cached is not None and image.fetched_at is not None and now - image.fetched_at < REFETCH_AFTER:
        return cached
    if image.failed_at is not None and now - image.failed_at < RETRY_FAILED_AFTER:
        return cached
    try:
        data, content_type, width, height = _download(image.url, allow_private)
    except (FetchError, ValidationError) as exc:
        code = getattr(exc, "code", "invalid")
        RemoteImage.objects.filter(id=image.id).update(failed_at=now, error=f"{code}: {exc}"[:200])
        log.info("remote image %s (%s) not fetched: %s", image.id, image.url, code)
        return cached
    old = image.file.name
    image.file.save(f"{image.id}.{EXTENSIONS[content_type]}", ContentFile(data), save=False)
    RemoteImage.objects.filter(id=image.id).update(
        file=image.file.name,
        content_type=content_type,
        size=len(data),
        width=width,
        height=height,
        fetched_at=now,
        failed_at=None,
        error="",
    )
    if old and old != image.file.name:
        default_storage.delete(old)
    return CachedImage(image.file.name, content_type)


def _cached(image: RemoteImage) -> CachedImage | None:
    if image.file and image.content_type and default_storage.exists(image.file.name):
        return CachedImage(image.file.name, image.content_type)
    return None


def _download(url: str, allow_private: bool | None) -> tuple[bytes, str, int, int]:
    result = fetch(
        url,
        accept=IMAGE_TYPES,
        headers={"Accept": ", ".join(IMAGE_TYPES)},
        allow_private=allow_private,
        max_bytes=settings.SPOOL.federation_remote_media_max_bytes,
    )
    content_type, width, height = identify_image(result.body)
    return result.body, content_type, width, height
