"""``/api/v2/search``: accounts, topics (Mastodon: hashtags) and statuses, through the search seam in
:mod:`spool.feeds.search`. Logged-out visitors find accounts and topics; statuses need a signed-in viewer.
``resolve`` looks up a full fediverse handle (``@user@server``) by WebFinger; ``max_id``/``min_id`` are
not supported (``offset`` is)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import scoped, viewer
from spool.api.mastodon.entities import render_accounts
from spool.api.mastodon.filters import render_screened
from spool.api.mastodon.trends import int_param, render_tags
from spool.core.errors import ValidationError
from spool.feeds import search as finder

router = Router(tags=["search"])

TYPES = ("accounts", "hashtags", "statuses")
_TRUE = ("1", "true", "True", "on")


@router.get("/v2/search", auth=scoped("read:search", optional=True))
def search(request: HttpRequest) -> dict[str, Any]:
    who = viewer(request)
    q = finder.clean_query(request.GET.get("q"))
    kind = request.GET.get("type") or None
    if kind is not None and kind not in TYPES:
        raise ValidationError(f"Validation failed: type must be one of {', '.join(TYPES)}", field="type")
    limit = max(1, int_param(request, "limit", 20, 40))
    offset = int_param(request, "offset", 0, finder.MAX_OFFSET)
    account_id = request.GET.get("account_id") or None
    if account_id is not None and not account_id.isdigit():
        raise ValidationError("Validation failed: account_id must be an ID", field="account_id")
    result: dict[str, Any] = {"accounts": [], "hashtags": [], "statuses": []}
    if kind in (None, "accounts"):
        found = finder.search_accounts(
            who,
            q,
            limit=limit,
            offset=offset,
            following=request.GET.get("following") in _TRUE,
            resolve=request.GET.get("resolve") in _TRUE,
        )
        result["accounts"] = render_accounts(who, found)
    if kind in (None, "hashtags"):
        result["hashtags"] = render_tags(who, finder.search_topics(q, limit=limit, offset=offset))
    if kind in (None, "statuses") and who is not None:
        posts = finder.search_posts(
            who, q, limit=limit, offset=offset, account_id=int(account_id) if account_id else None
        )
        result["statuses"] = render_screened(who, posts, "public")
    return result
