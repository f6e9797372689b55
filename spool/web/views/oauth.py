"""The OAuth pages people see: the consent page of ``/oauth/authorize`` (sign in first, then Authorize or
Deny), the page that shows an out-of-band code, and Settings → Apps (the apps holding tokens, each with a
Revoke button). The rules live in :mod:`spool.oauth.services`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.oauth import redirects
from spool.oauth import scopes as scope_rules
from spool.oauth import services as oauth
from spool.oauth.errors import OAuthError
from spool.web.middleware import CSP
from spool.web.views.base import signed_in, viewer_of

# The parameters of an authorization request that the consent form carries through to its POST.
REQUEST_FIELDS = (
    "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method",
)  # fmt: skip


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    try:
        application, redirect_uri = oauth.authorization_client(
            params.get("client_id"), params.get("redirect_uri")
        )
    except OAuthError as exc:
        # Not a URI known to be the app's: tell the person, never redirect (RFC 6749 §4.1.2.1).
        return render(request, "oauth/error.html", {"error": exc}, status=400)
    state = params.get("state", "")
    try:
        pending = oauth.authorization_request(application, redirect_uri, params)
    except OAuthError as exc:
        return _answer(redirect_uri, {"error": exc.code, "error_description": exc.message, "state": state})
    if request.method == "GET" and params.get("force_login") in ("true", "1", "True"):
        # Sign out and back in (how people authorize a second account), then return without the flag.
        logout(request)
        return redirect_to_login(f"{request.path}?{_request_query(params)}")
    viewer = viewer_of(request)
    if viewer is None:
        return redirect_to_login(f"{request.path}?{_request_query(params)}")
    if request.method == "GET":
        return _consent_page(request, pending, params)
    if request.POST.get("decision") != "authorize":
        return _answer(redirect_uri, {"error": "access_denied", "state": state})
    code = oauth.authorize(viewer, pending)
    return _answer(redirect_uri, {"code": code, "state": state})


def _consent_page(
    request: HttpRequest, pending: oauth.AuthorizationRequest, params: QueryDict
) -> HttpResponse:
    context = {
        "application": pending.application,
        "scopes": [(name, scope_rules.describe(name)) for name in sorted(pending.scopes)],
        "fields": [(name, params.get(name, "")) for name in REQUEST_FIELDS if params.get(name)],
        "out_of_band": pending.out_of_band,
        "redirect_host": _host(pending.redirect_uri),
    }
    response = render(request, "oauth/authorize.html", context)
    # Browsers apply the page's form-action to the redirect that follows the form, so the app's own
    # redirect target must be allowed on this page (and only here).
    source = None if pending.out_of_band else redirects.csp_source(pending.redirect_uri)
    if source:
        response["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {source}"
        )
    return response


@require_GET
def native_code(request: HttpRequest) -> HttpResponse:
    """The out-of-band page (``urn:ietf:wg:oauth:2.0:oob``): the code to paste into the app."""
    context = {
        "code": request.GET.get("code", "")[:200],
        "error": request.GET.get("error", "")[:100],
        "error_description": request.GET.get("error_description", "")[:500],
    }
    response = render(request, "oauth/code.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _answer(redirect_uri: str, params: dict[str, str]) -> HttpResponse:
    """Send the outcome to the app: its redirect URI with ``params``, or the out-of-band page. A plain 302
    because Django's redirect refuses the custom schemes mobile apps register (``ice-cubes://``)."""
    if redirect_uri == redirects.OOB:
        return redirect(redirects.with_params(reverse("web:oauth_native"), params))
    response = HttpResponse(status=302)
    response["Location"] = redirects.with_params(redirect_uri, params)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _request_query(params: QueryDict) -> str:
    return urlencode([(name, params[name]) for name in REQUEST_FIELDS if params.get(name)])


def _host(uri: str) -> str:
    source = redirects.csp_source(uri) or ""
    return source.split("://", 1)[-1].rstrip(":")


@signed_in
@require_GET
def apps_settings(request: HttpRequest) -> HttpResponse:
    authorizations = oauth.authorized_applications(request.viewer)  # type: ignore[attr-defined]
    rows = [(item, [scope_rules.describe(name) for name in sorted(item.scopes)]) for item in authorizations]
    return render(request, "oauth/apps.html", {"rows": rows, "nav": "settings"})


@signed_in
@require_POST
def revoke_app(request: HttpRequest, application_id: int) -> HttpResponse:
    if oauth.revoke_authorization(request.viewer, application_id):  # type: ignore[attr-defined]
        messages.success(request, "The app is signed out of your account.")
    return redirect("web:settings_apps")
