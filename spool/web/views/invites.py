"""Moderation → Invites: admins and moderators create and revoke invite codes (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.accounts.invites import invites_required, list_invite_codes
from spool.core.errors import SpoolError
from spool.moderation.invites import issue_invite, withdraw_invite
from spool.moderation.roles import check_moderator
from spool.web.forms import InviteForm, add_service_error
from spool.web.views.base import signed_in, spool_errors


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def invites_page(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    check_moderator(viewer)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invite = issue_invite(
                viewer,
                max_uses=form.cleaned_data["max_uses"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"New invite code: {invite.code}")
            return redirect("web:moderation_invites")
    context = {
        "form": form,
        "invites": list_invite_codes(),
        "invite_only": invites_required(),
        "nav": "moderation",
        "tab": "invites",
    }
    return render(request, "web/moderation/invites.html", context, status=422 if form.errors else 200)


@signed_in
@spool_errors
@require_POST
def invite_revoke(request: HttpRequest, invite_id: int) -> HttpResponse:
    withdraw_invite(request.viewer, invite_id)  # type: ignore[attr-defined]
    messages.success(request, "Invite code revoked.")
    return redirect("web:moderation_invites")
