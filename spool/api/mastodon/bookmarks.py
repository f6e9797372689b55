"""``/api/v1/bookmarks``: the statuses the person saved, newest save first, paged by the save's ID."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_statuses
from spool.api.mastodon.pagination import Window, link_header
from spool.identities.models import Account
from spool.posts.models import Like, Post, Save

router = Router(tags=["bookmarks"])


def saved_statuses(
    request: HttpRequest, response: HttpResponse, model: type[Like] | type[Save], account: Account
) -> list[dict[str, Any]]:
    """A page of the account's ``model`` rows (likes or saves) whose post they may still see, rendered as
    the posts; the ``Link`` header pages by the row IDs. Three queries plus the statuses'."""
    window = Window.from_request(request, default=20, cap=40)
    visible = Post.objects.visible_to(account).filter(id=OuterRef("post_id"))
    rows = window.apply(model.objects.filter(account=account).filter(Exists(visible)))
    posts = Post.objects.for_cards().in_bulk([r.post_id for r in rows])
    link_header(request, response, [r.id for r in rows])
    return render_statuses(account, [posts[r.post_id] for r in rows if r.post_id in posts])


@router.get("/v1/bookmarks", auth=scoped("read:bookmarks"))
def bookmarks(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    return saved_statuses(request, response, Save, me(request))
