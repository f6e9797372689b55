"""The search page: one box, tabs Top / Recent / Profiles / Tags, and a media filter for posts. A plain GET
form (works without JavaScript); "Load more" appends the next page with htmx, like every feed.

Logged-out visitors may use every tab (posts: public ones only, rate-limited per address). Bad input comes
back as the page with a readable message and a 4xx status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from spool.core.errors import SpoolError
from spool.core.requests import client_address
from spool.search import profiles, reads
from spool.web.views.base import viewer_of
from spool.web.views.feeds import render_feed

TABS = (("top", "Top"), ("recent", "Recent"), ("profiles", "Profiles"), ("tags", "Tags"))
MEDIA = (("", "Any media"), ("images", "Images"), ("video", "Video"), ("none", "No media"))


def _results(request: HttpRequest, q: str, tab: str) -> reads.SearchPage[Any]:
    viewer = viewer_of(request)
    cursor = request.GET.get("cursor") or None
    if tab == "profiles":
        return profiles.search_profiles(viewer, q, cursor=cursor)
    if tab == "tags":
        return profiles.search_topics(q, cursor=cursor)
    if viewer is None:
        reads.count_anonymous_search(client_address(request))
    return reads.search_posts(viewer, q, tab=tab, media=request.GET.get("media") or None, cursor=cursor)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    tab = request.GET.get("tab") or "top"
    context: dict[str, Any] = {
        "nav": "search",
        "q": q,
        "tab": tab if tab in dict(TABS) else "top",
        "tabs": TABS,
        "media_choices": MEDIA,
        "media": request.GET.get("media", ""),
    }
    if not q.strip():
        return render(request, "web/search.html", context)
    try:
        if tab not in dict(TABS):
            reads.check_tab(tab)
        page = _results(request, q, tab)
    except SpoolError as exc:
        return render(request, "web/search.html", {**context, "error": exc.message}, status=exc.status)
    if tab in ("profiles", "tags"):
        template = "web/_search_profiles.html" if tab == "profiles" else "web/_search_tags.html"
        if request.headers.get("HX-Request") == "true" and request.GET.get("cursor"):
            return render(request, template, {**context, "page": page})
        return render(request, "web/search.html", {**context, "page": page})
    return render_feed(request, "web/search.html", page, {**context, "topic": page.topic})
