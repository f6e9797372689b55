"""Admins' rollout flags page (``/moderation/flags``): every flag with how it is rolled out, a form to
create one, and one page per flag to edit it. Everyone else gets the 404 page (``check_admin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from spool.core.errors import NotFound, ValidationError
from spool.identities.models import Account
from spool.moderation.services.flags import check_admin, flag_handles, save_rollout_flag
from spool.rollout.flags import KNOWN_FLAGS
from spool.rollout.models import Flag
from spool.web.views.base import signed_in, spool_errors

FORM_FIELDS = ("name", "description", "percentage", "handles", "countries_allowed", "countries_denied")


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def flags_page(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    check_admin(viewer)
    form: dict[str, Any] = {"percentage": 0}
    error: ValidationError | None = None
    if request.method == "POST":
        form = _posted(request)
        error = _save(request, viewer, form)
        if error is None:
            return HttpResponseRedirect(reverse("web:moderation_flag", args=[form["name"].strip().lower()]))
    saved = {flag.name: flag for flag in Flag.objects.all()}
    unsaved = [known for name, known in KNOWN_FLAGS.items() if name not in saved]
    context = {
        "flags": list(saved.values()),
        "unsaved": unsaved,
        "form": form,
        "error": error,
        "tab": "flags",
    }
    return render(request, "web/moderation/flags.html", context, status=422 if error else 200)


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def flag_page(request: HttpRequest, name: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    check_admin(viewer)
    flag = Flag.objects.filter(name=name).first()
    known = KNOWN_FLAGS.get(name)
    if flag is None and known is None:
        raise NotFound()
    error: ValidationError | None = None
    if request.method == "POST":
        form = {**_posted(request), "name": name}
        error = _save(request, viewer, form)
        if error is None:
            return HttpResponseRedirect(reverse("web:moderation_flag", args=[name]))
    elif flag is not None:
        form = {
            "name": flag.name,
            "description": flag.description,
            "enabled": flag.enabled,
            "percentage": flag.percentage,
            "handles": flag_handles(flag),
            "countries_allowed": " ".join(flag.countries_allowed),
            "countries_denied": " ".join(flag.countries_denied),
        }
    else:
        assert known is not None
        form = {"name": name, "description": known.description, "enabled": known.default,
                "percentage": 100 if known.default else 0}  # fmt: skip
    context = {"flag": flag, "known": known, "form": form, "error": error, "tab": "flags"}
    return render(request, "web/moderation/flag.html", context, status=422 if error else 200)


def _posted(request: HttpRequest) -> dict[str, Any]:
    form: dict[str, Any] = {field: request.POST.get(field, "") for field in FORM_FIELDS}
    form["enabled"] = request.POST.get("enabled") == "on"
    return form


def _save(request: HttpRequest, viewer: Account, form: dict[str, Any]) -> ValidationError | None:
    """Save the posted form; the validation error to show beside its field, else ``None``."""
    try:
        _, changes = save_rollout_flag(
            viewer,
            form["name"],
            description=form["description"],
            enabled=form["enabled"],
            percentage=form["percentage"],
            handles=form["handles"],
            countries_allowed=form["countries_allowed"],
            countries_denied=form["countries_denied"],
        )
    except ValidationError as exc:
        return exc
    messages.success(request, "Flag saved." if changes else "Nothing changed.")
    return None
