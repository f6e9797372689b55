"""Facts about an incoming HTTP request that more than one front door needs."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The caller's network address, for per-address rate limits. Behind a reverse proxy, configure it to
    set REMOTE_ADDR (e.g. uvicorn's ``--proxy-headers``) rather than trusting a header here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
