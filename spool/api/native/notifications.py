"""The Activity tab over JSON: ``/api/spool/v1/notifications/``.

IDs are strings: they are 64-bit and JavaScript numbers are not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from spool.api.common.auth import current_account
from spool.core.errors import ValidationError
from spool.core.pagination import parse_cursor
from spool.identities.models import Account
from spool.notifications import services
from spool.notifications.models import Notification
from spool.posts.models import Post

router = Router(tags=["notifications"])


class NotificationActor(Schema):
    id: str
    handle: str
    display_name: str
    avatar_url: str | None
    is_verified: bool


class NotificationPost(Schema):
    id: str
    author_handle: str
    text: str
    spoilers: list[list[int]]
    url: str


class NotificationOut(Schema):
    id: str
    kind: str
    read: bool
    created_at: datetime
    actor: NotificationActor | None
    post: NotificationPost | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class UnreadCount(Schema):
    unread_count: int


class MarkRead(BaseModel):
    """Plain pydantic (not a ninja ``Schema``, which would read a JSON list as "no ids" = everything)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = None


class MarkedRead(Schema):
    marked: int
    unread_count: int


def _actor(account: Account | None) -> NotificationActor | None:
    if account is None:
        return None
    return NotificationActor(
        id=str(account.id),
        handle=account.handle,
        display_name=account.name,
        avatar_url=account.avatar.url if account.avatar else None,
        is_verified=account.is_verified,
    )


def _post(post: Post | None) -> NotificationPost | None:
    if post is None:
        return None
    handle = post.author.handle
    return NotificationPost(
        id=str(post.id),
        author_handle=handle,
        text=post.text,
        spoilers=[list(pair) for pair in post.spoilers],
        url=f"/@{handle}/post/{post.id}",
    )


def _item(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=str(notification.id),
        kind=notification.kind,
        read=notification.read,
        created_at=notification.created_at,
        actor=_actor(notification.actor),
        post=_post(notification.post),
    )


@router.get("", response=NotificationPage, summary="Your notifications, newest first")
def list_notifications(
    request: HttpRequest,
    cursor: str | None = None,
    kinds: Annotated[list[str] | None, Query()] = None,
    limit: int = 20,
) -> NotificationPage:
    """``kinds`` filters (repeat it or separate with commas: ``like,reply``); pass ``next_cursor`` back as
    ``cursor`` for the next page."""
    account = current_account(request)
    page = services.list_notifications(account, parse_cursor(cursor), kinds, limit=limit)
    return NotificationPage(
        items=[_item(n) for n in page.items],
        next_cursor=str(page.next_cursor) if page.next_cursor is not None else None,
    )


@router.get("unread_count", response=UnreadCount, summary="How many notifications are unread")
def unread_count(request: HttpRequest) -> UnreadCount:
    return UnreadCount(unread_count=services.unread_count(current_account(request)))


@router.post(
    "read",
    response=MarkedRead,
    summary="Mark notifications read (all when no ids are given)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": MarkRead.model_json_schema()}},
        }
    },
)
def mark_read(request: HttpRequest) -> MarkedRead:
    """The body is optional: none, ``{}`` or ``{"ids": null}`` mark everything read. A form post may send
    ``ids`` fields instead of JSON."""
    account = current_account(request)
    ids = _parse_mark_read(request).ids
    marked = services.mark_read(account, ids)
    return MarkedRead(marked=marked, unread_count=services.unread_count(account))


def _parse_mark_read(request: HttpRequest) -> MarkRead:
    # Parsed here rather than by ninja so that an empty body (or a plain form post) is allowed.
    try:
        if request.content_type != "application/json":
            return MarkRead.model_validate({"ids": request.POST.getlist("ids") or None})
        if not request.body.strip():
            return MarkRead()
        return MarkRead.model_validate_json(request.body)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = 'The body must be JSON like {"ids": ["123"]}.' if field is None else first["msg"]
        raise ValidationError(message, code="invalid", field=field or None) from None
