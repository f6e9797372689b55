"""People made through the real services (:mod:`tests.people`), signed-in clients, and an admin and a
moderator named the way an operator does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spool.identities.models import Account
from tests.people import grant_role, login, make_account

__all__ = ["login", "make_account"]


@pytest.fixture
def admin(make_account: Callable[..., Account]) -> Account:
    account = make_account("boss")
    grant_role("boss", "admin")
    return account


@pytest.fixture
def moderator(make_account: Callable[..., Account]) -> Account:
    account = make_account("mod")
    grant_role("mod", "moderator")
    return account


@pytest.fixture
def country_header(settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The operator configured ``SPOOL_COUNTRY_HEADER=CF-IPCountry``."""
    monkeypatch.setattr(settings.SPOOL, "country_header", "CF-IPCountry")
    return "HTTP_CF_IPCOUNTRY"
