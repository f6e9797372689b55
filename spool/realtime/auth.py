"""Who is on the other end of a WebSocket: an OAuth token (apps) or the session cookie (Spool's web app).

The functions that read the database are synchronous; call them through ``database_sync_to_async``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from spool.identities.models import Account
from spool.oauth import scopes as scope_rules
from spool.oauth import services as oauth
from spool.oauth.services import Bearer


@dataclass(frozen=True)
class BearerToken:
    raw: str
    # Browsers can only send a token as the WebSocket subprotocol; the handshake must then echo it back.
    subprotocol: str | None = None


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def query_params(scope: dict[str, Any]) -> dict[str, str]:
    """The handshake's query parameters (the first value of each)."""
    raw = scope.get("query_string", b"").decode("latin-1")
    return {key: values[0] for key, values in parse_qs(raw).items()}


def token_from_scope(scope: dict[str, Any]) -> BearerToken | None:
    """The bearer token of a handshake, looked for where Mastodon clients put it: the ``access_token`` query
    parameter, ``Authorization: Bearer …``, or the ``Sec-WebSocket-Protocol`` header."""
    from_query = query_params(scope).get("access_token", "").strip()
    if from_query:
        return BearerToken(from_query)
    scheme, _, value = _header(scope, b"authorization").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return BearerToken(value.strip())
    subprotocols = scope.get("subprotocols") or []
    if scope.get("type") == "websocket" and subprotocols:
        return BearerToken(subprotocols[0], subprotocol=subprotocols[0])
    return None


def token_account(raw: str) -> Bearer | None:
    """The live token behind a raw bearer string, as its remembered credential with the person's account,
    or ``None`` (:func:`spool.oauth.services.bearer`: no token query once remembered, and what ends a token
    is seen on the next handshake)."""
    return oauth.bearer(raw)


def token_grants(token: Bearer, *wanted: str) -> bool:
    """Whether the token holds at least one of the ``wanted`` scopes (directly or through a broader one)."""
    held = token.credential.scopes
    return any(scope_rules.grants(held, scope) for scope in wanted)


def same_origin(scope: dict[str, Any]) -> bool:
    """The browser says the page that opened the socket came from this very site (``Origin`` matches
    ``Host``). Cookies ride along on cross-site WebSockets, so session authentication requires this."""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


def session_account(scope: dict[str, Any]) -> Account | None:
    """The signed-in person of a same-origin browser connection (``scope["user"]`` comes from Channels'
    ``AuthMiddlewareStack``), or ``None`` for a visitor, a deactivated profile or another origin."""
    user = scope.get("user")
    if user is None or not user.is_authenticated or not same_origin(scope):
        return None
    return Account.objects.filter(user_id=user.pk, is_active=True).first()
