"""Explore: trending now (at most five topics, the same for everyone) with each topic's trending
discussions and influential voices, and the words and phrases trending in posts; readable logged out.
Signed-in people can report a trending topic; moderators can hide a topic or a keyword, and see the hidden
keywords with a button to let each trend again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from spool.feeds.trending.reads import trending_highlights, trending_keywords
from spool.feeds.trending.services import (
    hidden_keywords,
    hide_trending_keyword,
    hide_trending_topic,
    report_trending_topic,
    unhide_trending_keyword,
)
from spool.identities.models import Account
from spool.web.views.base import signed_in, spool_errors, viewer_of


@spool_errors
@require_GET
def explore(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    user = getattr(viewer, "user", None)
    is_moderator = bool(user is not None and user.is_staff)
    context = {
        "nav": "explore",
        "trends": trending_highlights(viewer),
        "keywords": trending_keywords(),
        "is_moderator": is_moderator,
        "hidden_keywords": hidden_keywords() if is_moderator else [],
    }
    return render(request, "web/explore.html", context)


@signed_in
@spool_errors
@require_POST
def report_topic(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    report = report_trending_topic(viewer, request.POST.get("topic", ""), request.POST.get("reason", ""))
    messages.success(request, f"Thanks — you reported “{report.topic.display}”. Moderators will review it.")
    return redirect("web:explore")


@signed_in
@spool_errors
@require_POST
def hide_topic(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    result = hide_trending_topic(viewer, request.POST.get("topic", ""), request.POST.get("reason", ""))
    messages.success(request, f"“{result.topic.display}” is hidden from trending.")
    return redirect("web:explore")


@signed_in
@spool_errors
@require_POST
def hide_keyword(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    result = hide_trending_keyword(viewer, request.POST.get("keyword", ""), request.POST.get("reason", ""))
    messages.success(request, f"“{result.term}” is hidden from trending keywords.")
    return redirect("web:explore")


@signed_in
@spool_errors
@require_POST
def unhide_keyword(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    result = unhide_trending_keyword(viewer, request.POST.get("keyword", ""))
    if result.changed:
        messages.success(request, f"“{result.term}” can trend again.")
    else:
        messages.info(request, f"“{result.term}” was not hidden.")
    return redirect("web:explore")
