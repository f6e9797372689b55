"""Response headers every page gets, and the activity of signed-in sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from spool.accounts.sessions import note_activity

CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class SessionActivityMiddleware:
    """Keeps "last seen" of signed-in sessions fresh for Settings → Sessions (at most one ``UPDATE`` every
    five minutes per session; requests without a session cookie, like API clients with tokens, cost
    nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        note_activity(request)
        return self.get_response(request)
