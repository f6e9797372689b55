"""Custom feed pages: the Feeds page (your feeds, pinned feeds in order, the default feed, create from a
search), the create and edit forms (prefilled from a search, a topic or a profile), a feed's own page
(``/feeds/<id>``, readable logged out when shared by a public profile) and the buttons (pin, unpin, move,
delete, add a profile). Every change is one service call; every button is a plain form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.core.errors import SpoolError
from spool.feeds.custom import menu
from spool.feeds.custom import services as feeds
from spool.feeds.custom.access import access_feed, own_feeds, owned_feed, profile_handles
from spool.feeds.custom.models import CustomFeed, DefaultFeed, FeedMode
from spool.feeds.custom.pipeline import custom_feed_page
from spool.feeds.custom.validation import search_terms
from spool.web.feed_forms import FeedForm
from spool.web.forms import add_service_error
from spool.web.views.base import redirect_back, signed_in, spool_errors, viewer_of
from spool.web.views.feeds import render_feed


@dataclass
class FeedRow:
    """A feed as a line in a list: the feed, its profiles' handles, whether the viewer pinned it."""

    feed: CustomFeed
    profiles: list[str] = field(default_factory=list)
    pinned: bool = False


def feed_rows(feeds_: list[CustomFeed], pinned_ids: set[int] | None = None) -> list[FeedRow]:
    """Rows for ``feeds_`` (one query for every profile handle they name)."""
    handles = profile_handles(feeds_)
    pinned_ids = pinned_ids or set()
    return [FeedRow(f, [handles[p] for p in f.profiles if p in handles], f.id in pinned_ids) for f in feeds_]


@signed_in
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    pinned = menu.pinned_feeds(viewer)
    pinned_ids = {f.id for f in pinned}
    context = {
        "nav": "home",
        "own": feed_rows(own_feeds(viewer), pinned_ids),
        "pinned": feed_rows(pinned, pinned_ids),
        "default": menu.default_feed(viewer, pinned),
        "choices": [(DefaultFeed.FOLLOWING.value, "Following"), (DefaultFeed.FOR_YOU.value, "For You")]
        + [(str(f.id), f.name) for f in pinned],
    }
    return render(request, "web/feeds/index.html", context)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Initial fields from ``?q=`` (a search: #tags → topics, words → keywords), ``?topic=`` and
    ``?profile=``."""
    initial: dict[str, Any] = {"mode": FeedMode.RECENT}
    q = request.GET.get("q", "").strip()
    if q:
        try:
            topics, keywords = search_terms(q)
        except SpoolError:
            topics, keywords = [], []
        initial |= {"name": q[:50], "topics": ", ".join(topics), "keywords": ", ".join(keywords)}
    if request.GET.get("topic"):
        initial |= {"name": request.GET["topic"][:50], "topics": request.GET["topic"][:60]}
    if request.GET.get("profile"):
        handle = request.GET["profile"].lstrip("@")[:300]
        initial |= {"name": f"@{handle}"[:50], "profiles": f"@{handle}"}
    return initial


@signed_in
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    profile = request.GET.get("profile", "").lstrip("@")[:300]
    context: dict[str, Any] = {"nav": "home", "profile": profile, "own": own_feeds(viewer) if profile else []}
    if request.method != "POST":
        return render(
            request, "web/feeds/form.html", {"form": FeedForm(initial=_prefill(request)), **context}
        )
    form = FeedForm(request.POST)
    if form.is_valid():
        try:
            feed = feeds.create_feed(viewer, form.definition(), shared=form.cleaned_data["shared"])
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Feed “{feed.name}” created. Pin it to see it on your home page.")
            return redirect("web:feed", feed_id=feed.id)
    return render(request, "web/feeds/form.html", {"form": form, **context}, status=422)


@spool_errors
@signed_in
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, feed_id: int) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    feed = owned_feed(viewer, feed_id)
    context: dict[str, Any] = {"nav": "home", "feed": feed}
    if request.method != "POST":
        form = FeedForm(initial=FeedForm.initial_of(feed, profile_handles([feed])))
        return render(request, "web/feeds/form.html", {"form": form, **context})
    form = FeedForm(request.POST)
    if form.is_valid():
        try:
            feeds.update_feed(viewer, feed.id, {**form.definition(), "shared": form.cleaned_data["shared"]})
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Feed saved.")
            return redirect("web:feed", feed_id=feed.id)
    return render(request, "web/feeds/form.html", {"form": form, **context}, status=422)


@spool_errors
@require_GET
def feed(request: HttpRequest, feed_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = access_feed(viewer, feed_id)
    mode = request.GET.get("mode") or found.mode
    if mode not in FeedMode.values:
        raise Http404
    page = custom_feed_page(viewer, found, request.GET.get("cursor"), mode=mode)
    context = {
        "row": feed_rows([found], menu.pinned_among(viewer, [found]))[0],
        "mode": mode,
        "modes": FeedMode.choices,
        "is_owner": viewer is not None and viewer.id == found.owner_id,
    }
    return render_feed(request, "web/feeds/feed.html", page, context)


_ACTIONS = {
    "pin": (lambda viewer, feed_id, request: feeds.pin_feed(viewer, feed_id), "Pinned to your home page."),
    "unpin": (lambda viewer, feed_id, request: feeds.unpin_feed(viewer, feed_id), "Unpinned."),
    "up": (lambda viewer, feed_id, request: feeds.move_pin(viewer, feed_id, -1), ""),
    "down": (lambda viewer, feed_id, request: feeds.move_pin(viewer, feed_id, 1), ""),
    "delete": (lambda viewer, feed_id, request: feeds.delete_feed(viewer, feed_id), "Feed deleted."),
    "add-profile": (
        lambda viewer, feed_id, request: feeds.add_profile_to_feed(
            viewer, feed_id, request.POST.get("profile")
        ),
        "Added to the feed.",
    ),
}


@spool_errors
@signed_in
@require_POST
def action(request: HttpRequest, feed_id: int, name: str) -> HttpResponse:
    if name not in _ACTIONS:
        raise Http404
    run, done = _ACTIONS[name]
    run(request.viewer, feed_id, request)  # type: ignore[attr-defined]
    if done:
        messages.success(request, done)
    if name == "delete":
        return redirect("web:feeds")
    return redirect_back(request, "/feeds")


@spool_errors
@signed_in
@require_POST
def choose_default(request: HttpRequest) -> HttpResponse:
    feeds.set_default_feed(request.viewer, request.POST.get("default"))  # type: ignore[attr-defined]
    messages.success(request, "Saved. The home page opens this feed.")
    return redirect("web:feeds")


@spool_errors
@signed_in
@require_POST
def from_search(request: HttpRequest) -> HttpResponse:
    """Create a feed straight from a search query (#tags → topics, words → keywords)."""
    created = feeds.create_feed_from_search(request.viewer, request.POST.get("q"))  # type: ignore[attr-defined]
    messages.success(request, f"Feed “{created.name}” created.")
    return redirect("web:feed", feed_id=created.id)
