"""Template helpers of the web pages: links to posts, short times, spoiler-safe excerpts, bar widths."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from spool.moderation.roles import is_admin
from spool.posts.services.edit import EDIT_WINDOW

register = template.Library()

SPOILER_MASK = "▒"


@register.filter
def post_url(post: Any) -> str:
    """The canonical page of ``post``: ``/@author/post/<id>`` (``/@user@server/post/<id>`` when remote)."""
    return reverse("web:post", args=[post.author.acct, post.id])


@register.filter
def short_time(moment: datetime | None) -> str:
    """``now``, ``5m``, ``3h``, ``2d``, then a date — as Threads shows post times."""
    if moment is None:
        return ""
    seconds = int((timezone.now() - moment).total_seconds())
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 7 * 86400:
        return f"{seconds // 86400}d"
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y")


@register.filter
def excerpt(post: Any, length: int = 90) -> str:
    """The first ``length`` characters of ``post``'s text with spoiler ranges masked, so no list (such as
    notifications) gives away what the author hid."""
    text: str = post.text or ""
    chars = list(text)
    for item in post.spoilers or []:
        offset, size = (item["offset"], item["length"]) if isinstance(item, dict) else item
        for i in range(max(offset, 0), min(offset + size, len(chars))):
            if not chars[i].isspace():
                chars[i] = SPOILER_MASK
    flat = " ".join("".join(chars).split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


@register.filter
def width_class(percent: float | int | None) -> str:
    """A CSS class for a bar of ``percent`` width, in steps of 5 (the CSP forbids inline styles)."""
    value = max(0, min(100, int(round((percent or 0) / 5) * 5)))
    return f"w-{value}"


@register.simple_tag(takes_context=True)
def query_with(context: Any, **params: Any) -> str:
    """The current query string with ``params`` replaced (``None`` drops one), for tab and cursor links."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


_SPOILER_OPEN = '<span class="spoiler">'
_SPOILER_FOCUSABLE = '<span class="spoiler" tabindex="0">'


@register.filter
def spoilers_focusable(html: str) -> SafeString:
    """Make the spoiler spans of rendered post HTML focusable, so that without JavaScript a click or Tab
    reveals them through CSS (``.spoiler:focus``). The HTML comes from ``spool.posts.rendering`` (escaped and
    sanitised); only a fixed attribute is added to a fixed tag."""
    return mark_safe(str(html).replace(_SPOILER_OPEN, _SPOILER_FOCUSABLE))  # noqa: S308


@register.filter
def editable(card: Any) -> bool:
    """Whether the author may still edit ``card``'s post (the service enforces the window; this hides the
    link once it has passed)."""
    return bool(card.created_at and timezone.now() - card.created_at < EDIT_WINDOW)


@register.filter(name="is_admin")
def is_admin_filter(account: Any) -> bool:
    """Whether the viewer is an admin (one query): the moderation tabs show admins the rollout flags."""
    return is_admin(account)
