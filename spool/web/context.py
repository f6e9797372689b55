"""Template context every page gets: who is looking and, when signed in, the unread-activity badge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spool.core.requests import signed_in_account
from spool.notifications.services import unread_count


def spool_context(request: HttpRequest) -> dict[str, Any]:
    account = signed_in_account(request)
    if account is None:
        return {"viewer": None, "unread_notifications": 0}
    # Lazy: pages that never show the navigation (htmx fragments) do not pay for the count.
    return {"viewer": account, "unread_notifications": _LazyCount(account)}


class _LazyCount:
    def __init__(self, account: Any) -> None:
        self.account = account
        self._value: int | None = None

    def _get(self) -> int:
        if self._value is None:
            self._value = unread_count(self.account)
        return self._value

    def __bool__(self) -> bool:
        return self._get() > 0

    def __int__(self) -> int:
        return self._get()

    def __str__(self) -> str:
        # The count is capped (a badge need not count past it): show the cap as "99+".
        value = self._get()
        return "99+" if value > 99 else str(value)
