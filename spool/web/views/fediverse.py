"""Settings → Fediverse sharing: turn federation on or off for one's profile, with what that does."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from spool.federation.degrade import MESSAGES, Degradation
from spool.federation.policy import federates
from spool.federation.sharing import change_fediverse_sharing, fediverse_links_of
from spool.identities.models import Account
from spool.web.views.base import signed_in, spool_errors


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def fediverse_settings(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if request.method == "POST":
        wanted = request.POST.get("enabled")
        if wanted not in ("on", "off"):
            messages.error(request, "Choose whether to share your profile to the fediverse.")
            return redirect("web:settings_fediverse")
        # A private profile turning sharing on gets a 409 from the service: spool_errors shows its message.
        if change_fediverse_sharing(viewer, wanted == "on"):
            messages.success(request, "Your profile is now shared to the fediverse.")
        else:
            messages.success(
                request,
                "Fediverse sharing is off. Other servers have been asked to remove your profile and posts.",
            )
        return redirect("web:settings_fediverse")
    return render(request, "web/settings/fediverse.html", _context(viewer))


def _context(viewer: Account) -> dict[str, Any]:
    enabled = federates(viewer)
    return {
        "nav": "settings",
        "enabled": enabled,
        "site_allows": settings.SPOOL.federation_enabled,
        "fediverse_handle": f"@{viewer.handle}@{settings.SPOOL.domain}",
        "links": fediverse_links_of(viewer) if enabled else None,
        # What changes on the way, from the same table the sender and the composer use.
        "degradations": [MESSAGES[code] for code in Degradation],
    }
