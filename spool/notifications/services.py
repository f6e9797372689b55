"""Reading and acknowledging the Activity tab.

Notifications are written only by :mod:`spool.notifications.handlers` (in reaction to domain events); people
read them here and mark them read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from spool.core.errors import NotFound, ValidationError
from spool.core.pagination import Page, page_before
from spool.identities.models import Account
from spool.notifications.models import Kind, Notification
from spool.posts.models import Post

MAX_MARK_READ_IDS = 200
UNREAD_CAP = 100


def visible_notifications(account: Account) -> QuerySet[Notification]:
    """The notifications ``account`` may see now: from active profiles, about posts they may still see.

    The rules applied when a notification was made are re-checked here where they can change later without
    an event that removes it: a deactivated actor, and a post the recipient may no longer see (a private
    author they stopped following, a hidden reply, an archived ghost post) — through ``visible_to``, the one
    rule for posts. It is a correlated ``EXISTS`` per row, so a page stops as soon as it is full.
    """
    post_visible = Post.objects.visible_to(account).filter(id=OuterRef("post_id"))
    return (
        Notification.objects.filter(recipient=account)
        .filter(Q(actor__isnull=True) | Q(actor__is_active=True))
        .filter(Q(post__isnull=True) | Exists(post_visible))
    )


def parse_kinds(kinds: Iterable[str] | None) -> list[str] | None:
    """Validate a kinds filter (values may also be comma-separated); ``None`` or empty means every kind."""
    if not kinds:
        return None
    wanted = [part.strip() for value in kinds for part in value.split(",") if part.strip()]
    unknown = sorted(set(wanted) - set(Kind.values))
    if unknown:
        raise ValidationError(
            f"Unknown notification kind: {', '.join(unknown)}. Known kinds: {', '.join(Kind.values)}.",
            code="invalid_kind",
            field="kinds",
        )
    return wanted or None


def list_notifications(
    account: Account, cursor: int | None, kinds: Iterable[str] | None = None, *, limit: int = 20
) -> Page[Notification]:
    """Newest first, ``limit`` at a time (at most 40), older than ``cursor``; only ``kinds`` when given.

    Each item comes with its actor and post (and the post's author) loaded: a page costs one query.
    """
    rows = visible_notifications(account).select_related("actor", "post", "post__author")
    wanted = parse_kinds(kinds)
    if wanted:
        rows = rows.filter(kind__in=wanted)
    return page_before(rows, cursor, limit)


def unread_count(account: Account) -> int:
    """Unread notifications, counted up to ``UNREAD_CAP`` (every page shows this badge, so its cost must not
    grow with a backlog; "100" reads as "100 or more")."""
    return visible_notifications(account).filter(read=False)[:UNREAD_CAP].count()


def mark_read(account: Account, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications of ``account`` read (all of them when ``ids`` is None); return how many
    changed. IDs that are not the account's are ignored, so nobody learns whether they exist."""
    rows = Notification.objects.filter(recipient=account, read=False)
    if ids is not None:
        wanted = list(dict.fromkeys(ids))
        if len(wanted) > MAX_MARK_READ_IDS:
            raise ValidationError(
                f"Mark at most {MAX_MARK_READ_IDS} notifications read at once.", code="too_many", field="ids"
            )
        rows = rows.filter(id__in=wanted)
    with transaction.atomic():
        return rows.update(read=True)


def mark_read_through(account: Account, last_id: int) -> int:
    """Mark every notification of ``account`` up to ``last_id`` read (a read position saved by an app)."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=account, read=False, id__lte=last_id).update(read=True)


def dismiss_notification(account: Account, notification_id: int) -> None:
    """Delete one of the account's notifications; ``NotFound`` for anyone else's or a missing one."""
    if not dismiss_notifications(account, [notification_id]):
        raise NotFound()


def dismiss_notifications(account: Account, ids: Iterable[int]) -> int:
    """Delete the given notifications of ``account`` (others' IDs are ignored); return how many went."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_MARK_READ_IDS:
        raise ValidationError(
            f"Dismiss at most {MAX_MARK_READ_IDS} notifications at once.", code="too_many", field="ids"
        )
    with transaction.atomic():
        deleted, _ = Notification.objects.filter(recipient=account, pk__in=wanted).delete()
    return deleted


def clear_notifications(account: Account) -> int:
    """Delete all of the account's notifications; return how many there were."""
    with transaction.atomic():
        deleted, _ = Notification.objects.filter(recipient=account).delete()
    return deleted
