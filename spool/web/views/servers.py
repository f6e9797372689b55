"""Admins' page of federation policy per server (``/moderation/servers``): block, limit (silence) and
allow, with the defaults from the environment shown fixed. A thin layer over
:mod:`spool.federation.servers`, which checks the role and writes the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from spool.federation import servers
from spool.identities.models import Account
from spool.moderation.roles import check_moderator
from spool.web.views.base import signed_in, spool_errors

DONE = {"block": "Server blocked.", "limit": "Server limited.", "allow": "Server allowed."}


@signed_in
@spool_errors
@require_GET
def servers_page(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    role = check_moderator(viewer)
    context = {
        "rules": servers.server_rules(),
        "allowlist_mode": settings.SPOOL.federation_allowlist_mode,
        "secure_mode": settings.SPOOL.federation_secure_mode,
        "is_admin": role == "admin",
        "tab": "servers",
    }
    return render(request, "web/moderation/servers.html", context)


@signed_in
@spool_errors
@require_POST
def change_server(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    domain = request.POST.get("domain", "")
    if request.POST.get("lift"):
        servers.lift_server_rule(viewer, domain, action)
        messages.success(request, "Rule removed.")
    else:
        servers.set_server_rule(viewer, domain, action, request.POST.get("reason", ""))
        messages.success(request, DONE.get(action, "Done."))
    return HttpResponseRedirect(reverse("web:moderation_servers"))
