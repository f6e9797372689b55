"""The OAuth 2 endpoints apps call directly: ``POST /oauth/token``, ``POST /oauth/revoke``,
``/oauth/userinfo`` (OpenID Connect claims, as Mastodon 4.4) and the RFC 8414 metadata at
``/.well-known/oauth-authorization-server``. (The consent page, ``/oauth/authorize``, is a web
page.) Errors are RFC 6749's ``{"error": "invalid_grant", "error_description": "..."}``; client credentials
come as form (or JSON) parameters or as HTTP Basic."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.api.mastodon.entities.accounts import profile_url
from spool.api.mastodon.entities.common import MISSING_AVATAR, absolute
from spool.api.mastodon.params import read_params
from spool.core.errors import SpoolError
from spool.oauth import scopes as scope_rules
from spool.oauth import services as oauth
from spool.oauth.errors import OAuthError, invalid_client, invalid_request
from spool.oauth.models import Application

GRANT_TYPES = ("authorization_code", "client_credentials", "refresh_token")


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    try:
        params = _params(request)
        application = _client(request, params)
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            issued = oauth.exchange_code(
                application,
                code=params.get("code"),
                redirect_uri=params.get("redirect_uri"),
                code_verifier=params.get("code_verifier"),
            )
        elif grant_type == "client_credentials":
            issued = oauth.issue_app_token(application, params.get("scope"))
        elif grant_type == "refresh_token":
            issued = oauth.refresh(
                application, refresh_token=params.get("refresh_token"), scope=params.get("scope")
            )
        elif grant_type == "password":
            raise OAuthError(
                "unsupported_grant_type",
                "The password grant is not supported: sign in through /oauth/authorize (authorization code "
                "with PKCE) instead.",
            )
        elif not grant_type:
            raise invalid_request("grant_type is required.")
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type must be one of {', '.join(GRANT_TYPES)}.")
    except OAuthError as exc:
        return oauth_error(request, exc)
    body: dict[str, Any] = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.token.scopes,
        "created_at": int(issued.token.created_at.timestamp()),
    }
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    if issued.token.expires_at:
        body["expires_in"] = int((issued.token.expires_at - issued.token.created_at).total_seconds())
    return _no_store(JsonResponse(body))


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        params = _params(request)
        application = _client(request, params)
        oauth.revoke_by_client(application, params.get("token"))
    except OAuthError as exc:
        return oauth_error(request, exc)
    return _no_store(JsonResponse({}))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    """Who the bearer token speaks for, as OpenID Connect claims; needs the ``profile`` scope (which ``read``
    and ``read:accounts`` grant). Errors as RFC 6750: 401 ``invalid_token``, 403 ``insufficient_scope``."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    found = oauth.bearer(raw.strip()) if scheme.lower() == "bearer" else None  # remembered, as the API's
    if found is None or found.account is None:
        return _bearer_error("invalid_token", "The access token is invalid", 401)
    if not scope_rules.grants(found.credential.scopes, "profile"):
        return _bearer_error("insufficient_scope", "This action is outside the authorized scopes", 403)
    account = found.account
    url = profile_url(account)
    return _no_store(
        JsonResponse(
            {
                "iss": absolute("/"),
                "sub": url,
                "name": account.display_name or account.handle,
                "preferred_username": account.handle,
                "profile": url,
                "picture": absolute(account.avatar.url if account.avatar else MISSING_AVATAR),
            }
        )
    )


def _bearer_error(code: str, description: str, status: int) -> HttpResponse:
    response = JsonResponse({"error": code, "error_description": description}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{code}"'
    return _no_store(response)


@require_GET
def server_metadata(request: HttpRequest) -> HttpResponse:
    base = absolute("/")
    return JsonResponse(
        {
            "issuer": base,
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}oauth/authorize",
            "token_endpoint": f"{base}oauth/token",
            "app_registration_endpoint": f"{base}api/v1/apps",
            "revocation_endpoint": f"{base}oauth/revoke",
            "userinfo_endpoint": f"{base}oauth/userinfo",
            "scopes_supported": scope_rules.supported(),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


def oauth_error(request: HttpRequest, exc: OAuthError) -> HttpResponse:
    response = JsonResponse({"error": exc.code, "error_description": exc.message}, status=exc.status)
    if exc.status == 401 and request.headers.get("Authorization", "").lower().startswith("basic "):
        response["WWW-Authenticate"] = 'Basic realm="Spool"'
    return _no_store(response)


def _params(request: HttpRequest) -> dict[str, Any]:
    try:
        raw = read_params(request)
    except SpoolError as exc:
        raise invalid_request(exc.message) from None
    # Every OAuth parameter is a single string (RFC 6749 §3.1: none may repeat).
    return {key: value for key, value in raw.items() if isinstance(value, str)}


def _client(request: HttpRequest, params: dict[str, Any]) -> Application:
    """Client authentication: HTTP Basic (``client_secret_basic``) or body parameters
    (``client_secret_post``)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise invalid_client() from None
        client_id, _, client_secret = pair.partition(":")
        return oauth.authenticate_client(unquote_plus(client_id), unquote_plus(client_secret))
    return oauth.authenticate_client(params.get("client_id"), params.get("client_secret"))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
