"""``/api/v1/favourites``: the statuses the person liked, newest like first, paged by the like's ID."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.bookmarks import saved_statuses
from spool.posts.models import Like

router = Router(tags=["favourites"])


@router.get("/v1/favourites", auth=scoped("read:favourites"))
def favourites(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    return saved_statuses(request, response, Like, me(request))
