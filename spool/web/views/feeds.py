"""Lists of posts: home (Following), What's new and topics. Each is a page of cards with a cursor "Load more"
link that works as a plain link and, with htmx, appends the next page in place."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from spool.core.pagination import Page
from spool.posts.services import find_topic
from spool.posts.timelines import following_posts, topic_posts, whats_new
from spool.search.reads import SearchPage
from spool.web.forms import ComposeForm
from spool.web.views.base import is_htmx, spool_errors, viewer_of


def render_feed(
    request: HttpRequest, template: str, page: Page[Any] | SearchPage[Any], context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or — for htmx asking for the next cursor — only the next items and their own
    "Load more" link."""
    if is_htmx(request) and request.GET.get("cursor"):
        response = render(request, "web/_feed_page.html", {"page": page, **context})
    else:
        response = render(request, template, {"page": page, **context})
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@spool_errors
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if viewer is None:
        return redirect("web:new")
    page = following_posts(viewer, request.GET.get("cursor"))
    context = {"nav": "home", "form": ComposeForm(), "feed_name": "home"}
    return render_feed(request, "web/home.html", page, context)


@spool_errors
@require_GET
def new(request: HttpRequest) -> HttpResponse:
    page = whats_new(viewer_of(request), request.GET.get("cursor"))
    return render_feed(request, "web/new.html", page, {"nav": "new"})


@spool_errors
@require_GET
def topic(request: HttpRequest, name: str) -> HttpResponse:
    viewer = viewer_of(request)
    found = find_topic(name)
    if found is None:
        raise Http404
    page = topic_posts(viewer, name, request.GET.get("cursor"))
    context = {"topic": found, "topic_name": found.display}
    return render_feed(request, "web/topic.html", page, context)
