"""Facts about an incoming HTTP request that more than one front door needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The caller's network address, for per-address rate limits. Behind a reverse proxy, configure it to
    set REMOTE_ADDR (e.g. uvicorn's ``--proxy-headers``) rather than trusting a header here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def authorization(request: HttpRequest) -> str:
    """The ``Authorization`` header, or "" (read from ``META``: ``request.headers`` would first copy every
    header, once per request, for this one)."""
    return request.META.get("HTTP_AUTHORIZATION", "")


def signed_in_account(request: HttpRequest) -> Any:
    """The signed-in person's active Account, or ``None`` for a visitor (or a deactivated profile)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    account = getattr(user, "account", None)
    return account if account is not None and account.is_active else None
