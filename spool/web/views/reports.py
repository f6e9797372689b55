"""Reporting (the "Report" item of post and profile menus, and of topic pages) and what the person a
moderator acted on reads: their notices, each with its appeal form — also while suspended, through the
short-lived link the sign-in page gives them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from spool.core.errors import NotFound, SpoolError
from spool.identities.models import Account
from spool.moderation import services
from spool.moderation.notices import access_notice, appeal_of, list_notices, suspended_account
from spool.moderation.roles import is_moderator
from spool.moderation.services.reports import find_reportable_account
from spool.posts.models import Topic
from spool.posts.services.validation import normalise_topic
from spool.web.forms import NoteForm, ReportForm, add_service_error
from spool.web.views.base import signed_in, spool_errors
from spool.web.views.cards import card_for

REPORT_KINDS = ("post", "account", "topic")
THANKS = "Thanks for telling us. A moderator will review your report."


def _subject(viewer: Account, kind: str, ref: str) -> tuple[dict[str, Any], str]:
    """What the report page shows of the thing reported, and where to go back to."""
    if kind == "post":
        card = card_for(viewer, ref)
        return {"card": card}, reverse("web:post", args=[card.author.acct, card.id])
    if kind == "account":
        account = find_reportable_account(ref)
        return {"account": account}, reverse("web:profile", args=[account.acct])
    topic = Topic.objects.filter(name=normalise_topic(ref)).first()
    if topic is None:
        raise NotFound()
    return {"topic": topic}, reverse("web:topic", args=[topic.display])


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if kind not in REPORT_KINDS:
        raise Http404
    subject, back = _subject(viewer, kind, ref)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason, comment = form.cleaned_data["reason"], form.cleaned_data["comment"]
        try:
            if kind == "post":
                services.report_post(viewer, ref, reason, comment)
            elif kind == "account":
                services.report_account(viewer, subject["account"], reason, comment)
            else:
                services.report_topic(viewer, subject["topic"].name, reason, comment)
        except NotFound:
            raise
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, THANKS)
            return HttpResponseRedirect(back)
    context = {"form": form, "kind": kind, "ref": ref, "back": back, **subject}
    return render(request, "web/report.html", context, status=422 if form.errors else 200)


@signed_in
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    cursor = request.GET.get("cursor")
    page = list_notices(viewer, int(cursor) if cursor and cursor.isdigit() else None)
    context = {"page": page, "moderator": is_moderator(viewer), "nav": "settings"}
    return render(request, "web/notices.html", context)


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, action_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    action = access_notice(viewer, action_id)
    return _notice_page(request, viewer, action, reverse("web:notice", args=[action.pk]))


def _notice_page(
    request: HttpRequest, account: Account, action: Any, here: str, token: str = ""
) -> HttpResponse:
    """A notice with its appeal form; a POST files the appeal (once)."""
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_appeal(account, action.pk, form.cleaned_data["text"])
        except SpoolError as exc:
            add_service_error(form, exc, {"text": "text"})
        else:
            messages.success(request, "Your appeal was sent. A moderator will look at it again.")
            return HttpResponseRedirect(here)
    context = {"action": action, "appeal": appeal_of(action), "form": form, "here": here, "token": token}
    return render(request, "web/notice.html", context, status=422 if form.errors else 200)


@spool_errors
@require_http_methods(["GET", "POST"])
def suspended(request: HttpRequest, action_id: int) -> HttpResponse:
    """A suspended person's notice, reached from the sign-in page with a signed token (no session)."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    account = suspended_account(token)
    action = access_notice(account, action_id)
    here = f"{reverse('web:suspended_notice', args=[action.pk])}?token={token}"
    return _notice_page(request, account, action, here, token)
