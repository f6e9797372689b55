"""Who is calling: the signed-in person's Account (session cookie + CSRF for now; OAuth tokens later)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from spool.core.errors import Forbidden


class AccountSessionAuth(SessionAuth):
    """Session auth that yields the caller's active local Account."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if not user:
            return None
        account = getattr(user, "account", None)
        if account is None:
            return None
        return account


def current_account(request: HttpRequest) -> Any:
    account = request.auth  # type: ignore[attr-defined]
    if account is None or not account.is_active:
        raise Forbidden("This profile is deactivated.", code="deactivated")
    return account


session_auth = AccountSessionAuth()
