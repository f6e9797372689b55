"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def spool_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    account = getattr(user, "account", None) if user is not None and user.is_authenticated else None
    return {"viewer": account}
