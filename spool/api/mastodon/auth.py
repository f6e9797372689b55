"""Bearer-token authentication with per-endpoint OAuth scopes.

Every endpoint names the scope it needs: ``auth=scoped("read:statuses")``. Endpoints that anonymous
visitors may also read use ``scoped("read:statuses", optional=True)``; there ``viewer(request)`` is None
without a token. ``scoped(None)`` accepts any valid token whatever its scopes (Mastodon does so for
``GET /api/v1/apps/verify_credentials``). Refusals follow Mastodon: 401 for a missing or bad token, 403 for
a scope the token lacks, 422 when an app token (client credentials) calls an endpoint that needs a person.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from spool.core.errors import Forbidden, SpoolError
from spool.core.requests import authorization
from spool.identities.models import Account
from spool.oauth import scopes as scope_rules
from spool.oauth import services as oauth
from spool.oauth.credentials import Credential


class Unauthorized(SpoolError):
    status = 401
    code = "unauthorized"


class UserRequired(SpoolError):
    """An app token (client credentials) on an endpoint that acts for a person."""

    status = 422
    code = "user_required"


class Caller:
    """Who is calling: the token's credential (None for anonymous reads) and the person behind it (None for
    app tokens). On endpoints that defer it (``scoped(..., defer_account=True)``) the person's account is
    read on first use of :attr:`account`, or handed over by the view (:meth:`provide`) when it read the row
    in a statement of its own (the home timeline reads it with the timeline's registry)."""

    __slots__ = ("_account", "_pending", "token")

    def __init__(self, token: Credential | None, account: Account | None, *, pending: bool = False) -> None:
        self.token = token
        self._account = account
        self._pending = pending  # the account is still to be read

    @property
    def account_id(self) -> int | None:
        """The person's account ID, known without reading the account."""
        if self._account is not None:
            return self._account.id
        return self.token.account_id if self.token is not None else None

    @property
    def account(self) -> Account | None:
        if self._pending:
            assert self.token is not None
            self.provide(oauth.person(self.token))
        return self._account

    def provide(self, account: Account | None) -> None:
        """The deferred account, read by the view; None: deleted since the token was remembered (401)."""
        if account is None:
            raise Unauthorized("The access token is invalid", code="unauthorized")
        self._account = account
        self._pending = False

    def __bool__(self) -> bool:  # ninja treats a falsy result as "not authenticated"
        return True


class Scoped(HttpBearer):
    def __init__(
        self, scope: str | None, *, optional: bool = False, person: bool = True, defer_account: bool = False
    ) -> None:
        super().__init__()
        if scope is not None and scope not in scope_rules.KNOWN:
            raise ValueError(f"unknown scope {scope!r}")
        self.scope = scope
        self.optional = optional
        self.person = person
        self.defer_account = defer_account

    def __call__(self, request: HttpRequest) -> Any:
        header = authorization(request)
        if not header:
            if self.optional:
                return Caller(None, None)
            raise Unauthorized("The access token is invalid", code="unauthorized")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise Unauthorized("The access token is invalid", code="unauthorized")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        """The token's remembered credential (no query: :func:`spool.oauth.services.credential`), then the
        person's account by its ID (one precompiled statement), unless the endpoint defers it."""
        found = oauth.credential(token, getattr(request, "prefetched_credential", None))
        if found is None:
            raise Unauthorized("The access token is invalid", code="unauthorized")
        if self.scope is not None and not scope_rules.grants(found.scopes, self.scope):
            raise Forbidden("This action is outside the authorized scopes", code="insufficient_scope")
        if found.account_id is None:
            if self.person and not self.optional:
                raise UserRequired("This method requires an authenticated user")
            return Caller(found, None)
        if self.defer_account:
            return Caller(found, None, pending=True)
        account = oauth.person(found)
        if account is None:  # deleted since it was remembered
            raise Unauthorized("The access token is invalid", code="unauthorized")
        return Caller(found, account)


def scoped(
    scope: str | None, *, optional: bool = False, person: bool = True, defer_account: bool = False
) -> Scoped:
    """``defer_account``: the person's account is read when first used (:class:`Caller`), so that a view
    may read it in one of its own statements and hand it over (:meth:`Caller.provide`)."""
    return Scoped(scope, optional=optional, person=person, defer_account=defer_account)


def caller(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def viewer(request: HttpRequest) -> Account | None:
    """The signed-in person, or None (anonymous, or an app token)."""
    return caller(request).account


def me(request: HttpRequest) -> Account:
    """The signed-in person on endpoints that require one (guaranteed by ``scoped``)."""
    account = caller(request).account
    assert account is not None
    return account
