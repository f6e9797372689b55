"""Images of posts: uploaded first (unattached), then attached to one post by their owner.

Validation and re-encoding of the file itself is :mod:`spool.media.images` (shared with avatars); this module
adds ownership, alt text and attaching."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.core.errors import NotFound, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.media.images import process_post_image
from spool.posts.models import Media, Post
from spool.posts.services.erasure import delete_files_after_commit
from spool.posts.services.guards import check_actor
from spool.posts.services.validation import check_alt_text, check_focus

UPLOAD_LIMIT = Limit("image_uploads", 500, timedelta(hours=24))
# An upload not attached to a post within this long is deleted by ``delete_orphaned_media``.
ORPHAN_AFTER = timedelta(hours=24)


def upload_media(owner: Account, upload: Any, alt_text: str = "", focus: Any = None) -> Media:
    """Validate and re-encode ``upload`` (type read from content, size and pixel limits) and store it,
    unattached, owned by ``owner``. Alt text up to 1,000 characters; an optional focal point ``"x,y"`` in
    [-1, 1]. Rate-limited (500 a day)."""
    check_actor(owner)
    alt_text = check_alt_text(alt_text)
    focus_x, focus_y = check_focus(focus) if focus not in (None, "") else (0.0, 0.0)
    image = process_post_image(upload, field="file")
    hit(UPLOAD_LIMIT, owner.id)
    with transaction.atomic():
        return Media.objects.create(
            owner=owner,
            file=image.file,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            alt_text=alt_text,
            focus_x=focus_x,
            focus_y=focus_y,
        )


def update_media(owner: Account, media_id: Any, alt_text: str | None = None, focus: Any = None) -> Media:
    """Change the alt text and/or (when given) the focal point of one of ``owner``'s images (attached or
    not); ``None`` leaves a field alone. Others' images are ``NotFound``."""
    check_actor(owner)
    new_alt = check_alt_text(alt_text) if alt_text is not None else None
    new_focus = check_focus(focus) if focus not in (None, "") else None
    try:
        media_id = int(media_id)
    except (TypeError, ValueError):
        raise NotFound("No such image.") from None
    with transaction.atomic():
        media = Media.objects.select_for_update().filter(id=media_id, owner=owner).first()
        if media is None:
            raise NotFound("No such image.")
        if new_alt is not None:
            media.alt_text = new_alt
        if new_focus is not None:
            media.focus_x, media.focus_y = new_focus
        media.save(update_fields=["alt_text", "focus_x", "focus_y"])
    return media


def check_media(owner: Account, media_ids: list[int]) -> None:
    """Every ID names an image ``owner`` uploaded that is not attached to a post yet."""
    if not media_ids:
        return
    found = set(
        Media.objects.filter(id__in=media_ids, owner=owner, post__isnull=True).values_list("id", flat=True)
    )
    missing = [media_id for media_id in media_ids if media_id not in found]
    if missing:
        raise ValidationError(
            f"Image {missing[0]} is not one of your unattached uploads.",
            code="invalid_media",
            field="media_ids",
        )


def attach_media(owner: Account, post: Post, media_ids: list[int]) -> None:
    """Attach ``owner``'s unattached images to ``post`` in the given order. Each row is claimed with a
    conditional update, so an image can never end up on two posts even when two requests race."""
    for position, media_id in enumerate(media_ids):
        claimed = Media.objects.filter(id=media_id, owner=owner, post__isnull=True).update(
            post=post, position=position
        )
        if claimed != 1:
            raise ValidationError(
                "An image was attached elsewhere meanwhile.", code="invalid_media", field="media_ids"
            )


def delete_orphaned_media(batch: int = 500, max_batches: int = 20) -> int:
    """Delete images uploaded more than 24 hours ago and never attached to a post, oldest first, ``batch``
    rows per transaction and at most ``max_batches`` transactions per call (the next run goes on); their
    files are removed after each commit. Returns how many rows went. Idempotent.

    The rows are locked (PostgreSQL; rows another transaction holds are skipped) and deleted only while still
    unattached, so an image being attached at that moment is either attached or deleted, and only files of
    rows really deleted are removed."""
    total = 0
    for _ in range(max_batches):
        deleted = _delete_orphans(timezone.now() - ORPHAN_AFTER, batch)
        total += deleted
        if deleted < batch:
            break
    return total


def _delete_orphans(cutoff: datetime, batch: int) -> int:
    with transaction.atomic():
        doomed = dict(
            Media.objects.select_for_update(skip_locked=True)
            .filter(post__isnull=True, created_at__lt=cutoff)
            .order_by("created_at")
            .values_list("id", "file")[:batch]
        )
        if not doomed:
            return 0
        deleted, _ = Media.objects.filter(id__in=list(doomed), post__isnull=True).delete()
        delete_files_after_commit(list(doomed.values()))
    return deleted
