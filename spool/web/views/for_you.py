"""For You: the ranked, explained, steerable feed; steering a post from it; following topics; and Settings →
For You (Dear Algo requests and followed topics). Thin: each view calls one service or read function."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.core.errors import SpoolError
from spool.feeds.for_you.feed import for_you_page
from spool.feeds.for_you.models import FeedbackKind
from spool.feeds.for_you.steering import (
    active_requests,
    create_dear_algo_request,
    dear_algo_available,
    give_feedback,
    revoke_dear_algo_request,
    undo_feedback,
)
from spool.feeds.for_you.topics import follow_topic, follows_topic, topic_follows, unfollow_topic
from spool.identities.models import Account
from spool.rollout.country import request_country
from spool.web.views.base import is_htmx, redirect_back, signed_in, spool_errors

STEERED = {
    FeedbackKind.MORE: "Got it: you'll see more posts like this.",
    FeedbackKind.LESS: "Got it: you'll see fewer posts like this.",
    FeedbackKind.NOT_INTERESTED: "Got it: this post won't show in For You again, and fewer like it.",
}


@signed_in
@spool_errors
@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    page = for_you_page(viewer, request.GET.get("cursor"))
    context = {"page": page, "nav": "for_you", "steer_kinds": FeedbackKind.choices}
    if is_htmx(request) and request.GET.get("cursor"):
        response = render(request, "web/_for_you_page.html", context)
    else:
        response = render(request, "web/for_you.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@signed_in
@spool_errors
@require_POST
def feedback(request: HttpRequest, post_id: int) -> HttpResponse:
    """``kind`` = more / less / not_interested, or ``undo``. With htmx the post's card (or, for "more", its
    menu) is swapped for a note with an Undo button; without JS, back to the page with a message."""
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    kind = request.POST.get("kind", "")
    if kind == "undo":
        undo_feedback(viewer, post_id)
        note = "Undone."
    else:
        give_feedback(viewer, post_id, kind)
        note = STEERED[FeedbackKind(kind)]
    if is_htmx(request):
        return render(request, "web/_steered.html", {"post_id": post_id, "note": note, "kind": kind})
    messages.success(request, note)
    return redirect_back(request, reverse("web:for_you"))


@signed_in
@spool_errors
@require_POST
def topic_follow(request: HttpRequest, name: str, action: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if action == "follow":
        topic = follow_topic(viewer, name)
    elif action == "unfollow":
        topic = unfollow_topic(viewer, name)
    else:
        raise Http404
    if is_htmx(request):
        context = {"topic": topic, "following_topic": follows_topic(viewer, topic)}
        return render(request, "web/_topic_follow.html", context)
    return redirect_back(request, reverse("web:topic", args=[topic.display]))


@signed_in
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """Settings → For You: write a Dear Algo request; see and revoke the live ones; followed topics."""
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            create_dear_algo_request(viewer, text, country=request_country(request))
        except SpoolError as exc:
            error = exc.message
        else:
            messages.success(request, "Request saved. For You follows it for the next 3 days.")
            return redirect("web:settings_for_you")
    context = {
        "nav": "settings",
        "requests": list(active_requests(viewer)),
        "dear_algo": dear_algo_available(viewer, request_country(request)),
        "topics": list(topic_follows(viewer)[:200]),
        "error": error,
        "text": text,
    }
    return render(request, "web/settings/for_you.html", context, status=422 if error else 200)


@signed_in
@spool_errors
@require_POST
def revoke_request(request: HttpRequest, request_id: int) -> HttpResponse:
    revoke_dear_algo_request(request.viewer, request_id)  # type: ignore[attr-defined]
    messages.success(request, "Request revoked.")
    return redirect("web:settings_for_you")
