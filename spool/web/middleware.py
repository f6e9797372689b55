"""Response headers every page gets, the activity of signed-in sessions, and Django's page-only
middleware (sessions, CSRF, the signed-in user, messages) left out of Mastodon-API calls with a bearer
token and of POSTs to the federation inboxes, which use none of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf

from spool.accounts.sessions import note_activity
from spool.core.headers import Headers
from spool.core.requests import authorization

CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

SECURITY_HEADERS = Headers(
    ("Content-Security-Policy", CSP), ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        SECURITY_HEADERS.default_on(response)
        return response


class SessionActivityMiddleware:
    """Keeps "last seen" of signed-in sessions fresh for Settings → Sessions (at most one ``UPDATE`` every
    five minutes per session; requests without a session cookie, like API clients with tokens, cost
    nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not pageless(request):
            note_activity(request)
        return self.get_response(request)


# The Mastodon API's paths (spool.api.mastodon; the web app does not import the API). Its endpoints
# authenticate by bearer token only (spool.api.mastodon.auth) and are exempt from CSRF.
TOKEN_API_PATHS = ("/api/v1/", "/api/v2/")


def token_api_call(request: HttpRequest) -> bool:
    """A Mastodon-API call carrying a bearer token: no session, cookie-CSRF, signed-in user or messages."""
    return request.path.startswith(TOKEN_API_PATHS) and authorization(request)[:7].lower() == "bearer "


# The inboxes (spool.federation.urls): other servers POST there, authenticated by HTTP Signature only;
# the view is exempt from CSRF and reads no session, user or message.
_INBOX = re.compile(r"/ap/(?:accounts/\d+/)?inbox")


def pageless(request: HttpRequest) -> bool:
    """A request that uses no session, cookie-CSRF, signed-in user or messages: a bearer-token API call
    (:func:`token_api_call`) or a POST to a federation inbox. Decided once per request (six middleware
    hooks ask)."""
    found: bool | None = getattr(request, "_spool_pageless", None)
    if found is None:
        found = (request.method == "POST" and _INBOX.fullmatch(request.path) is not None) or token_api_call(
            request
        )
        request._spool_pageless = found  # type: ignore[attr-defined]
    return found


class _PagesOnly:
    """Runs the Django middleware it is mixed into for everything but :func:`pageless` requests."""

    get_response: Any

    def __call__(self, request: HttpRequest) -> Any:
        if pageless(request):
            return self.get_response(request)  # a coroutine when the chain is asynchronous: awaited above
        return super().__call__(request)  # type: ignore[misc]


class SessionMiddleware(_PagesOnly, sessions.SessionMiddleware):
    pass


class CsrfViewMiddleware(_PagesOnly, csrf.CsrfViewMiddleware):
    def process_view(self, request: HttpRequest, callback: Any, args: Any, kwargs: Any) -> Any:
        if pageless(request):  # the handler calls this hook itself, whatever __call__ skipped
            return None
        return super().process_view(request, callback, args, kwargs)


class AuthenticationMiddleware(_PagesOnly, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_PagesOnly, messages.MessageMiddleware):
    pass
