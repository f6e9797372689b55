"""The moderators' pages: the report queue (grouped by target, filtered), one target with its context and
the action forms, the appeals waiting for a decision, and the audit log. Everyone without a role gets the
404 page — the services refuse them with ``NotFound`` — and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from spool.core.pagination import parse_cursor
from spool.identities.models import Account
from spool.moderation import audit, queue, services
from spool.moderation.models import ActionKind, Reason, ReportStatus, TargetType
from spool.moderation.roles import check_moderator
from spool.web.views.base import signed_in, spool_errors

DONE = {
    "dismiss": "Reports dismissed.",
    ActionKind.REMOVE: "Removed. The author was told why.",
    ActionKind.SENSITIVE: "Marked sensitive. The author was told why.",
    ActionKind.LIMIT: "Reach limited.",
    ActionKind.SUSPEND: "Account suspended. They were told why.",
}


@signed_in
@spool_errors
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    check_moderator(viewer)
    filters = queue.Filters.parse(
        request.GET.get("status") or ReportStatus.OPEN, request.GET.get("reason"), request.GET.get("type")
    )
    page = queue.report_groups(viewer, filters, parse_cursor(request.GET.get("cursor")))
    context = {
        "page": page,
        "filters": filters,
        "reasons": Reason.choices,
        "types": TargetType.choices,
        "statuses": ReportStatus.choices,
        "tab": "queue",
    }
    return render(request, "web/moderation/queue.html", context)


@signed_in
@spool_errors
@require_GET
def target_page(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    context = queue.target_context(viewer, kind, target_id)
    if not context.reports and not context.target_actions:
        raise Http404
    return render(request, "web/moderation/target.html", {"t": context, "tab": "queue"})


@signed_in
@spool_errors
@require_POST
def act(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    decision = request.POST.get("action", "")
    note = request.POST.get("note", "")
    if decision == "dismiss":
        services.dismiss_reports(viewer, kind, target_id, note)
    else:
        services.take_action(viewer, kind, target_id, decision, note)
    messages.success(request, DONE.get(decision, "Done."))
    return HttpResponseRedirect(reverse("web:moderation_target", args=[kind, target_id]))


@signed_in
@spool_errors
@require_GET
def appeals_page(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    page = queue.open_appeals(viewer, parse_cursor(request.GET.get("cursor")))
    return render(request, "web/moderation/appeals.html", {"page": page, "tab": "appeals"})


@signed_in
@spool_errors
@require_POST
def decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    appeal = services.decide_appeal(
        viewer, appeal_id, request.POST.get("decision"), request.POST.get("note", "")
    )
    messages.success(request, f"Appeal {appeal.get_status_display().lower()}.")
    return HttpResponseRedirect(reverse("web:moderation_appeals"))


@signed_in
@spool_errors
@require_GET
def log_page(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    check_moderator(viewer)
    page = audit.log_page(parse_cursor(request.GET.get("cursor")))
    return render(request, "web/moderation/log.html", {"page": page, "tab": "log"})
