"""Communities: the directory (``/communities``), starting one (``/communities/new``, moderators), a
community's page (``/c/<slug>``: Join/Leave, the member's flair picker, and the ranked feed with Top and
Recent tabs) and the buttons behind them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.communities.reads import (
    access_community,
    community_feed,
    list_communities,
    membership_of,
)
from spool.communities.services import (
    can_create_community,
    create_community,
    join_community,
    leave_community,
    set_flair,
)
from spool.core.errors import Forbidden, SpoolError
from spool.identities.models import Account
from spool.web.community_forms import ERROR_FIELDS, CommunityForm
from spool.web.forms import add_service_error
from spool.web.views.base import is_htmx, signed_in, spool_errors, viewer_of

SORT_LABELS = {"top": "Top", "recent": "Recent"}


@spool_errors
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    communities, next_cursor = list_communities(request.GET.get("cursor"))
    viewer = viewer_of(request)
    context = {
        "nav": "communities",
        "communities": communities,
        "next_cursor": next_cursor,
        "can_create": viewer is not None and can_create_community(viewer),
    }
    return render(request, "web/communities.html", context)


@spool_errors
@signed_in
@require_http_methods(["GET", "POST"])
def new_community(request: HttpRequest) -> HttpResponse:
    """The form that starts a community; the service's refusals show beside their fields (422)."""
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if not can_create_community(viewer):
        raise Forbidden("Only moderators can start a community.", code="not_moderator")
    if request.method != "POST":
        return render(request, "web/community_form.html", {"nav": "communities", "form": CommunityForm()})
    form = CommunityForm(request.POST)
    if form.is_valid():
        try:
            created = create_community(viewer, **form.values())
        except SpoolError as exc:
            add_service_error(form, exc, ERROR_FIELDS)
        else:
            messages.success(request, f"“{created.name}” is open. You are its first member.")
            return redirect("web:community", slug=created.slug)
    return render(request, "web/community_form.html", {"nav": "communities", "form": form}, status=422)


@spool_errors
@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    found = access_community(slug)
    sort = request.GET.get("sort") or "top"
    page = community_feed(viewer, found, sort, request.GET.get("cursor"))
    context: dict[str, Any] = {
        "community": found,
        "page": page,
        "sort": sort,
        "sorts": list(SORT_LABELS.items()),
        "like_emoji": found.like_emoji,
    }
    if is_htmx(request) and request.GET.get("cursor"):
        response = render(request, "web/_community_feed_page.html", context)
    else:
        context["membership"] = membership_of(viewer, found)
        response = render(request, "web/community.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@signed_in
@spool_errors
@require_POST
def community_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if action == "join":
        join_community(viewer, slug)
        messages.success(request, "You joined the community. It's pinned in your feeds.")
    elif action == "leave":
        leave_community(viewer, slug)
        messages.success(request, "You left the community.")
    elif action == "flair":
        set_flair(viewer, slug, request.POST.get("flair", ""))
        messages.success(request, "Your flair is saved.")
    else:
        raise Http404
    return redirect("web:community", slug=slug)
