"""Lists of posts: home (with its feed switcher: Following, pinned custom feeds, Liked, Saved, Fediverse),
What's new and topics (Top and Recent). Each is a page of cards with a cursor "Load more" link that works as
a plain link and, with htmx, appends the next page in place; the switcher's links work the same way, htmx
swapping only the feed panel."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from spool.core.errors import NotFound
from spool.core.pagination import Page
from spool.feeds.custom import menu
from spool.feeds.custom.access import access_feed
from spool.feeds.custom.models import DefaultFeed, FeedMode
from spool.feeds.custom.pipeline import (
    FeedPage,
    custom_feed_page,
    fediverse_page,
    liked_page,
    saved_page,
    topic_feed_page,
)
from spool.feeds.for_you.topics import follows_topic
from spool.identities.models import Account
from spool.posts.services import find_topic
from spool.posts.timelines import following_posts, whats_new
from spool.search.reads import SearchPage
from spool.web.forms import ComposeForm
from spool.web.views.base import is_htmx, spool_errors, viewer_of


def render_feed(
    request: HttpRequest, template: str, page: Page[Any] | FeedPage | SearchPage[Any], context: dict[str, Any]
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


# What each built-in feed shows when empty.
EMPTY = {
    menu.FOLLOWING: "Nothing here yet. Follow people to see their posts, or look at what's new.",
    menu.LIKED: "Posts you like show here, newest like first.",
    menu.SAVED: "Posts you save show here, newest save first. Save a post from its ••• menu.",
    menu.FEDIVERSE: (
        "Posts by people you follow on other servers (Mastodon and the rest of the fediverse) show here, "
        "newest first. Find someone by searching for @user@server, then follow them (this needs fediverse "
        "sharing on, in Settings)."
    ),
}
BUILT_IN_PAGES = {menu.LIKED: liked_page, menu.SAVED: saved_page, menu.FEDIVERSE: fediverse_page}


def _for_you_url() -> str | None:
    """The For You page, once the app serving it is installed (until then ``/`` falls back to Following)."""
    try:
        return reverse("web:for_you")
    except NoReverseMatch:
        return None


def _home_feed(viewer: Account, key: str, cursor: Any) -> tuple[Page[Any] | FeedPage, dict[str, Any]]:
    """The page of the feed named ``key`` and what the panel shows about it; ``NotFound`` for an unknown
    key or a custom feed the viewer may not read."""
    if key == menu.FOLLOWING:
        return following_posts(viewer, cursor), {"feed_title": "Following", "empty": EMPTY[key]}
    if key in BUILT_IN_PAGES:
        page = BUILT_IN_PAGES[key](viewer, cursor)
        return page, {"feed_title": menu.BUILT_IN[key], "empty": EMPTY[key]}
    if not key.isdigit():
        raise NotFound()
    feed = access_feed(viewer, key)
    context = {"feed_title": feed.name, "custom_feed": feed, "empty": "No posts match this feed yet."}
    return custom_feed_page(viewer, feed, cursor), context


@spool_errors
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if viewer is None:
        return redirect("web:new")
    cursor = request.GET.get("cursor")
    key = request.GET.get("feed")
    # "Load more" with htmx needs only the next items: no switcher, so no pins or default to read.
    more_only = is_htmx(request) and bool(cursor)
    pinned = None if more_only and key else menu.pinned_feeds(viewer)
    if not key:
        key = menu.default_feed(viewer, pinned)
    if key == DefaultFeed.FOR_YOU:
        url = _for_you_url()
        if url is not None:
            return redirect(url)
        key = menu.FOLLOWING
    page, context = _home_feed(viewer, key, cursor)
    context |= {"nav": "home", "form": ComposeForm(), "feed_name": "home", "feed_key": key}
    if pinned is not None:
        context["menu"] = menu.feed_menu(viewer, pinned)
    if is_htmx(request) and not cursor and request.headers.get("HX-Target") == "feed-panel":
        response = render(request, "web/_home_panel.html", {"page": page, **context})
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
    return render_feed(request, "web/home.html", page, context)


@spool_errors
@require_GET
def new(request: HttpRequest) -> HttpResponse:
    page = whats_new(viewer_of(request), request.GET.get("cursor"))
    return render_feed(request, "web/new.html", page, {"nav": "new"})


@spool_errors
@require_GET
def topic(request: HttpRequest, name: str) -> HttpResponse:
    """A topic's posts and replies: Recent (newest first, the default) or Top (engagement of the last
    month)."""
    viewer = viewer_of(request)
    found = find_topic(name)
    if found is None:
        raise Http404
    sort = request.GET.get("sort") or FeedMode.RECENT
    if sort not in FeedMode.values:
        raise Http404
    page = topic_feed_page(viewer, name, sort, request.GET.get("cursor"))
    context = {
        "topic": found,
        "topic_name": found.display,
        "sort": sort,
        "sorts": FeedMode.choices,
        "following_topic": follows_topic(viewer, found),
    }
    return render_feed(request, "web/topic.html", page, context)
