"""Settings → Security (two-factor authentication, email address, password reset link), Settings → Sessions
(signed-in browsers, revoke) and the data download. The rules live in :mod:`spool.accounts`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.accounts import email_flows, sessions, two_factor
from spool.accounts.models import User
from spool.core.errors import SpoolError
from spool.exports import services as exports
from spool.web.forms import (
    EmailChangeForm,
    PasswordOnlyForm,
    TwoFactorConfirmForm,
    TwoFactorDisableForm,
    add_service_error,
)
from spool.web.views.base import signed_in, spool_errors, viewer_of


def _security_context(request: HttpRequest, **forms: object) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    enabled = two_factor.is_enabled(user)
    context: dict[str, object] = {
        "nav": "settings",
        "two_factor_on": enabled,
        "recovery_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "disable_form": TwoFactorDisableForm(),
        "codes_form": PasswordOnlyForm(),
        "email_form": EmailChangeForm(),
        "confirm_form": TwoFactorConfirmForm(),
        "email_confirmed": user.email_confirmed_at is not None,
        "confirmation_required": settings.SPOOL.require_email_confirmation,
        "export": exports.latest_export(request.viewer),  # type: ignore[attr-defined]
    }
    secret = None if enabled else two_factor.pending_secret(user)
    if secret is not None:
        uri = two_factor.totp.provisioning_uri(secret, account_name=user.email, issuer=two_factor.ISSUER)
        # segno's SVG is generated from our own URI (no user HTML in it), so it is safe to inline.
        context |= {"pending_secret": secret, "qr_svg": mark_safe(two_factor.qr_svg(uri))}  # noqa: S308
    return context | forms


@signed_in
@require_GET
def security_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "web/settings/security.html", _security_context(request))


@signed_in
@spool_errors
@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    two_factor.begin_enrolment(request.user)  # type: ignore[arg-type]
    return redirect("web:settings_security")


def _security_form(
    request: HttpRequest,
    form: Form,
    context_name: str,
    action: Callable[[User, dict[str, Any]], HttpResponse],
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """Run ``action`` with the signed-in user and the form's data; a service error goes beside its field and
    the Security page comes back (422) with this form as typed."""
    if form.is_valid():
        try:
            return action(request.user, form.cleaned_data)  # type: ignore[arg-type]
        except SpoolError as exc:
            add_service_error(form, exc, aliases)
    context = _security_context(request, **{context_name: form})
    return render(request, "web/settings/security.html", context, status=422)


def _show_codes(request: HttpRequest, codes: list[str], heading: str) -> HttpResponse:
    # Shown once, never stored in the clear: the page is rendered, not redirected to.
    context = {"codes": codes, "heading": heading, "nav": "settings"}
    return render(request, "web/settings/recovery_codes.html", context)


def _done(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("web:settings_security")


@signed_in
@require_POST
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    def confirm(user: User, data: dict[str, Any]) -> HttpResponse:
        codes = two_factor.confirm_enrolment(user, data["code"])
        return _show_codes(request, codes, "Two-factor authentication is on.")

    return _security_form(request, TwoFactorConfirmForm(request.POST), "confirm_form", confirm)


@signed_in
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    def disable(user: User, data: dict[str, Any]) -> HttpResponse:
        two_factor.disable_two_factor(user, password=data["password"], code=data["code"])
        return _done(request, "Two-factor authentication is off.")

    return _security_form(request, TwoFactorDisableForm(request.POST), "disable_form", disable)


@signed_in
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    def regenerate(user: User, data: dict[str, Any]) -> HttpResponse:
        codes = two_factor.regenerate_recovery_codes(user, data["password"])
        return _show_codes(request, codes, "New recovery codes")

    return _security_form(request, PasswordOnlyForm(request.POST), "codes_form", regenerate)


@signed_in
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    def change(user: User, data: dict[str, Any]) -> HttpResponse:
        address = email_flows.request_email_change(
            user, password=data["password"], new_email=data["new_email"]
        )
        return _done(request, f"We sent a link to {address}. Your address changes when you open it.")

    form = EmailChangeForm(request.POST)
    return _security_form(request, form, "email_form", change, {"email": "new_email"})


@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners that open links change nothing); POST applies the change."""
    if request.method == "GET":
        return render(request, "web/settings/email_confirm.html", {"token": token, "nav": "settings"})
    try:
        user = email_flows.confirm_email_change(token)
    except SpoolError as exc:
        return render(
            request, "web/auth/bad_link.html", {"message": exc.message, "nav": "settings"}, status=400
        )
    messages.success(request, f"Your email address is now {user.email}.")
    return redirect("web:settings_security" if viewer_of(request) is not None else "web:login")


@signed_in
@spool_errors
@require_POST
def email_resend(request: HttpRequest) -> HttpResponse:
    email_flows.send_confirmation_email(request.user)  # type: ignore[arg-type]
    messages.success(request, "We sent you a new confirmation link.")
    return redirect("web:settings_security")


@signed_in
@require_GET
def sessions_settings(request: HttpRequest) -> HttpResponse:
    rows = sessions.list_sessions(request.user, request.session.session_key)  # type: ignore[arg-type]
    return render(request, "web/settings/sessions.html", {"sessions": rows, "nav": "settings"})


@signed_in
@spool_errors
@require_POST
def session_revoke(request: HttpRequest, record_id: int) -> HttpResponse:
    sessions.revoke_session(request.user, record_id)  # type: ignore[arg-type]
    messages.success(request, "That session is signed out.")
    return redirect("web:settings_sessions")


@signed_in
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    ended = sessions.revoke_other_sessions(request.user, request.session.session_key)  # type: ignore[arg-type]
    messages.success(request, f"Signed out {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("web:settings_sessions")


@signed_in
@spool_errors
@require_POST
def export_data(request: HttpRequest) -> HttpResponse:
    """Ask for your data: built in the background; the page shows how it is going (a few per day)."""
    exports.request_data_export(request.viewer)  # type: ignore[attr-defined]
    messages.success(request, "Your data is being prepared. This page shows when it is ready to download.")
    return redirect(reverse("web:settings_security") + "#export")


@signed_in
@require_GET
def export_status(request: HttpRequest) -> HttpResponse:
    """The "Download your data" section alone (htmx polls it while an export is being built)."""
    return render(request, "web/settings/_export.html", {"export": exports.latest_export(request.viewer)})  # type: ignore[attr-defined]


@signed_in
@spool_errors
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The ZIP of one of your ready exports (someone else's, or one not ready: 404)."""
    account = request.viewer  # type: ignore[attr-defined]
    archive = exports.open_export_file(account, export_id)
    # A streaming response (the decorators are typed for HttpResponse; they only pass it through).
    return FileResponse(  # type: ignore[return-value]
        archive, as_attachment=True, filename=f"spool-{account.handle}.zip", content_type="application/zip"
    )
