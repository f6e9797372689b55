"""The inboxes' POSTs under ASGI, answered without Django's request handling (:mod:`spool.asgi` routes
them here, in the one-hop handler's worker thread, between ``request_started`` and ``request_finished``).

An inbox POST is the server's most frequent request by far, and its answer depends on nothing Django's
handler adds: the path names the inbox, the middleware lets it through untouched but for a few fixed
headers (sessions, CSRF, the signed-in user and messages skip it, :func:`spool.web.middleware.pageless`;
negotiation, CORS and the rate limit are for other paths) and Host is the only header checked before the
view. Building the request (``META``, ``request.headers``), the twelve middleware calls, the view's wrapper
and the response's checked headers were half of an accept's CPU in the server process (``python -m
bench.inbox_accept``). Here the headers are read from the ASGI scope straight into the view's dict, the
same :func:`~spool.federation.views.answer_post` answers, and the headers the middleware would add are
added as one fixed set.

Whatever this route does not take in exactly the same way goes to Django's handler as before (``None``):
another method, a query string, a root path, a Host missing or not allowed (Django answers 400 and logs
it), a header name with ``_`` (Django folds it into ``-``), a personal inbox whose person does not federate
(404), settings that make the middleware do more (HTTPS redirect, HSTS, refused user agents, ``www.``, a
forwarded host, a script name, atomic requests) or middleware besides :data:`PASSES_THROUGH` and
:data:`STOOD_FOR`. An exception becomes the response Django's handler would make of it (a busy database's
503, else Django's own). ``tests/federation/test_inbox_asgi.py`` compares the answers with the whole chain's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.exception import response_for_exception
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseBase
from django.http.request import split_domain_port, validate_host

from spool.core.busy import busy_answer
from spool.core.headers import Headers
from spool.federation.policy import federating
from spool.federation.views import answer_post
from spool.web.middleware import SECURITY_HEADERS

PATH = re.compile(r"/ap/(?:accounts/(\d+)/)?inbox")

# The middleware that lets an inbox POST through untouched (sessions, CSRF, the signed-in user, session
# activity and messages skip it, spool.web.middleware.pageless; negotiation is for GET and HEAD of /@
# pages; CORS and the rate limit for the Mastodon API's paths)...
PASSES_THROUGH = frozenset(
    {
        *(
            f"spool.web.middleware.{name}Middleware"
            for name in ("Session", "CsrfView", "Authentication", "SessionActivity", "Message")
        ),
        "spool.federation.negotiation.ActivityPubNegotiationMiddleware",
        *(f"spool.api.mastodon.middleware.{name}" for name in ("CorsMiddleware", "RateLimitMiddleware")),
    }
)
# ... and, in this order, the middleware whose work on it the route does: the security middleware's
# headers, the common middleware's Content-Length (its other work is switched off, see _settle_route), the
# clickjacking and Spool's security headers, the busy database's 503. Another middleware turns it off.
STOOD_FOR = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "spool.web.middleware.SecurityHeadersMiddleware",
    "spool.core.busy.DatabaseBusyMiddleware",
)


def answer(scope: dict[str, Any], body: IO[bytes]) -> HttpResponseBase | None:
    """The answer to an inbox POST, or ``None`` for Django's handler (see the module)."""
    found = PATH.fullmatch(scope["path"])
    if found is None or scope["method"] != "POST" or scope.get("query_string") or scope.get("root_path"):
        return None
    route = _route or _settle_route()
    if not route.taken:
        return None
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin1").lower(), raw_value.decode("latin1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value  # as Django joins them
    host = headers.get("host")
    if host is None or not route.allows(host) or any("_" in name for name in headers):
        return None
    account_id = found.group(1)
    if account_id is not None and not federating(int(account_id)):
        return None
    try:
        response: HttpResponseBase = answer_post(scope["path"], headers, lambda limit: body.read(limit + 1))
    except Exception as exc:
        body.seek(0)
        request = ASGIRequest(scope, body)
        response = busy_answer(request, exc) or response_for_exception(request, exc)
    # What the middleware adds, in the order it adds it (the innermost middleware's first).
    SECURITY_HEADERS.default_on(response)
    route.frame.default_on(response)
    response.headers.setdefault("Content-Length", str(len(response.content)))  # type: ignore[attr-defined]
    route.security.default_on(response)
    return response


@dataclass(frozen=True)
class _Route:
    """What the settings make of the route, read once (a setting read costs a Python call through
    ``LazySettings``; the route read sixteen per POST): whether it takes inbox POSTs, the hosts it
    allows, and the headers of the clickjacking (``frame``) and security middleware."""

    taken: bool
    allowed_hosts: list[str]
    frame: Headers
    security: Headers

    def allows(self, host: str) -> bool:
        """Whether Django's ``request.get_host()`` takes ``host`` (it raises ``DisallowedHost`` otherwise)."""
        domain, _ = split_domain_port(host)
        return bool(domain) and validate_host(domain, self.allowed_hosts)


_route: _Route | None = None


def _settle_route() -> _Route:
    global _route
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    taken = (
        tuple(name for name in settings.MIDDLEWARE if name not in PASSES_THROUGH) == STOOD_FOR
        and not settings.USE_X_FORWARDED_HOST
        and not settings.SECURE_SSL_REDIRECT
        and not settings.SECURE_HSTS_SECONDS
        and not settings.DISALLOWED_USER_AGENTS
        and not settings.PREPEND_WWW
        and settings.FORCE_SCRIPT_NAME is None
        and not any(db.get("ATOMIC_REQUESTS") for db in settings.DATABASES.values())
    )
    security = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        security.append(("X-Content-Type-Options", "nosniff"))
    if referrer := settings.SECURE_REFERRER_POLICY:
        values = [v.strip() for v in referrer.split(",")] if isinstance(referrer, str) else referrer
        security.append(("Referrer-Policy", ",".join(values)))
    if opener := settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        security.append(("Cross-Origin-Opener-Policy", opener))
    frame = Headers(("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()))
    _route = _Route(taken, list(allowed), frame, Headers(*security))
    return _route


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _route
    _route = None
