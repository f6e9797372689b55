"""Response headers every page gets, and the activity of signed-in sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY as SESSION_USER_KEY
from django.http import HttpRequest, HttpResponse

from spool.accounts.sessions import SEEN_EVERY, note_session
from spool.core.requests import client_address

SEEN_KEY = "spool_seen"

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
    """Notes the browser of each signed-in session (device, address, last seen) for Settings → Sessions,
    at most once a minute per session. Requests without a session cookie (API clients with tokens) pass
    through untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and SESSION_USER_KEY in session:
            now = time.time()
            if now - float(session.get(SEEN_KEY, 0)) >= SEEN_EVERY.total_seconds():
                user = request.user
                if user.is_authenticated:
                    note_session(
                        user,
                        session.session_key,
                        user_agent=request.headers.get("User-Agent", ""),
                        ip_address=client_address(request),
                    )
                    session[SEEN_KEY] = now
        return self.get_response(request)
