"""``/api/v1/bookmarks``: the statuses the person saved, newest save first, paged by the save's ID."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_statuses
from spool.api.mastodon.pagination import link_header
from spool.api.mastodon.timelines import feed_window
from spool.feeds.custom.selection import interactions
from spool.identities.models import Account
from spool.posts.models import Like, Save

router = Router(tags=["bookmarks"])


def saved_statuses(
    request: HttpRequest, response: HttpResponse, model: type[Like] | type[Save], account: Account
) -> list[dict[str, Any]]:
    """A page of the account's ``model`` rows (likes or saves) whose post they may still see, rendered as
    the posts; the ``Link`` header pages by the row IDs. The same selection as the Liked and Saved feeds
    (:func:`spool.feeds.custom.selection.interactions`): two queries plus the statuses'."""
    found, _ = interactions(account, model, feed_window(request, default=20, cap=40))
    link_header(request, response, [row_id for row_id, _ in found])
    return render_statuses(account, [post for _, post in found])


@router.get("/v1/bookmarks", auth=scoped("read:bookmarks"))
def bookmarks(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    return saved_statuses(request, response, Save, me(request))
