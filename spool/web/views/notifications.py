"""The Activity page (notifications) and the follow-requests inbox."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.core.pagination import parse_cursor
from spool.identities.access import access_account, pending_follow_requests
from spool.identities.services import approve_follow_request, decline_follow_request
from spool.notifications.services import list_notifications, mark_read
from spool.web.views.base import is_htmx, signed_in, spool_errors


@signed_in
@spool_errors
@require_http_methods(["GET"])
def notifications(request: HttpRequest) -> HttpResponse:
    page = list_notifications(request.viewer, parse_cursor(request.GET.get("cursor")))  # type: ignore[attr-defined]
    context = {"page": page, "nav": "notifications"}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "web/_notification_page.html", context)
    return render(request, "web/notifications.html", context)


@signed_in
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    mark_read(request.viewer)  # type: ignore[attr-defined]
    return redirect("web:notifications")


@signed_in
@spool_errors
@require_http_methods(["GET"])
def follow_requests(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    page = pending_follow_requests(viewer, parse_cursor(request.GET.get("cursor")), 40)
    return render(request, "web/follow_requests.html", {"page": page, "nav": "settings"})


@signed_in
@spool_errors
@require_POST
def answer_follow_request(request: HttpRequest, handle: str) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    requester = access_account(viewer, handle)
    if request.POST.get("decision") == "approve":
        approve_follow_request(viewer, requester)
        messages.success(request, f"@{requester.acct} now follows you.")
    else:
        decline_follow_request(viewer, requester)
        messages.success(request, f"Declined @{requester.acct}'s request.")
    return redirect("web:follow_requests")
