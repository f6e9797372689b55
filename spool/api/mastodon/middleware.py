"""What every Mastodon-API response gets, as Mastodon sends it.

* Rate limits: 300 requests per 5 minutes per token (per address for anonymous calls) on ``/api/v1`` and
  ``/api/v2``, reported in ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (ISO 8601) and answered with
  429 ``{"error": "Too many requests"}`` past the limit. One counter hit per request (Redis at scale; in
  this process's memory embedded, so a read writes nothing: :func:`spool.core.ratelimit.count`). A write
  refused by a service's per-action limit keeps that limit's headers. With Redis the counter's round trip
  also reads the bearer token's remembered credential and, on a home page, the caller's timeline
  (:func:`_home_timeline`).
* CORS: browser apps (Elk, Phanpy…) call the API, the token endpoints and the discovery documents from their
  own origins. These take bearer tokens or client credentials, never cookies, so any origin may call them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from spool.core.errors import RateLimited
from spool.core.headers import Headers, put
from spool.core.ratelimit import Limit, Rider, Riders, count
from spool.core.requests import authorization, client_address
from spool.oauth.credentials import Prefetch
from spool.oauth.services import digest
from spool.timelines.stores import prefetch

API_LIMIT = Limit("API requests", 300, timedelta(minutes=5))
LIMITED_PATHS = ("/api/v1/", "/api/v2/")
CORS_PATHS = (
    *LIMITED_PATHS, "/oauth/token", "/oauth/revoke", "/oauth/userinfo",
    "/.well-known/oauth-authorization-server",
)  # fmt: skip
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Idempotency-Key"
EXPOSED = (
    "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Mastodon-Async-Refresh"
)
# What every CORS response but a preflight's gets, in this order.
_CORS = Headers(("Access-Control-Expose-Headers", EXPOSED), ("Access-Control-Allow-Origin", "*"))

Middleware = Callable[[HttpRequest], HttpResponse]

# The home timeline (its pages from the timeline store: not when polling with ``since_id``/``min_id``).
HOME = "/api/v1/timelines/home"
# Token digest → the person's account ID, learned from the credentials this process has read (a token's
# person never changes): with Redis, a home page's timeline is read in the counter's round trip too.
_owners: dict[str, int] = {}
OWNERS_MAX = 20_000


class RateLimitMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS" or not request.path.startswith(LIMITED_PATHS):
            return self.get_response(request)
        key, credential = _caller_key(request)
        rider: Rider | None = credential
        timeline = _home_timeline(request, credential)
        if timeline is not None and credential is not None:
            rider = Riders(credential, timeline)
        try:
            # With Redis, the bearer token's remembered credential is read in the counter's round trip, and
            # on a home page the caller's timeline (spool.timelines.home.home_rows takes it from the request).
            usage = count(API_LIMIT, key, local=True, rider=rider)
        except RateLimited as exc:
            response: HttpResponse = JsonResponse({"error": "Too many requests"}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            _headers(response, exc.limit, 0, exc.retry_after)
            return response
        request.prefetched_credential = credential  # type: ignore[attr-defined]
        request.prefetched_timeline = timeline  # type: ignore[attr-defined]
        if credential is not None and credential.result is not None and credential.result[0] is not None:
            _learn(credential.digest, credential.result[0].account_id)
        response = self.get_response(request)
        # A write refused by its own per-action limit (follows, likes, messages…) reports that limit.
        if not (response.status_code == 429 and response.has_header("X-RateLimit-Limit")):
            _headers(response, usage.limit, usage.remaining, usage.resets_in)
        return response


def _caller_key(request: HttpRequest) -> tuple[str, Prefetch | None]:
    """The bearer token's digest (the same identity as ``Token.token_digest``, found without a query), else
    the network address; for a bearer token, also its credential's lookup to send along."""
    scheme, _, raw = authorization(request).partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        secret = raw.strip()
        hashed = digest(secret)
        return "t:" + hashed[:32], Prefetch(hashed, secret)
    return "a:" + client_address(request), None


def _home_timeline(request: HttpRequest, credential: Prefetch | None) -> Any:
    """The caller's timeline to read in the counter's round trip: on a home page read from the store, by a
    token whose person this process has seen before; else None."""
    if credential is None or request.path != HOME or request.method != "GET":
        return None
    owner = _owners.get(credential.digest)
    if owner is None or "since_id" in request.GET or "min_id" in request.GET:
        return None
    return prefetch(owner)


def _learn(hashed: str, account_id: int | None) -> None:
    if account_id is not None and _owners.get(hashed) != account_id:
        if len(_owners) >= OWNERS_MAX:
            _owners.clear()
        _owners[hashed] = account_id


def _headers(response: HttpResponse, limit: int, remaining: int, resets_in: int) -> None:
    # Numbers and an ISO 8601 time: nothing for Django's per-header checks to refuse (spool.core.headers).
    put(
        response,
        (
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Remaining", str(max(remaining, 0))),
            ("X-RateLimit-Reset", reset_at(resets_in)),
        ),
    )


def reset_at(resets_in: int) -> str:
    """The moment ``resets_in`` seconds from now as Mastodon writes it (ISO 8601 UTC, milliseconds, ``Z``)."""
    reset = datetime.fromtimestamp(time.time() + resets_in, UTC)
    return reset.isoformat(timespec="milliseconds")[:-6] + "Z"  # without "+00:00"


class CorsMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(CORS_PATHS):
            return self.get_response(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            _CORS.set_on(response)  # Access-Control-Expose-Headers, then -Allow-Origin
            return response
        response["Access-Control-Allow-Origin"] = "*"
        return response
