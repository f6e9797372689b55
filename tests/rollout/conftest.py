"""People made through the real services, signed-in clients, and an admin named the way an operator does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    def make(handle: str) -> Account:
        return register_account(email=f"{handle}@example.com", password="a long passphrase", handle=handle)

    return make


@pytest.fixture
def login(db: None) -> Callable[[Account], CommitClient]:
    def sign_in(account: Account, **headers: Any) -> CommitClient:
        client = CommitClient(**headers)
        client.force_login(account.user)
        return client

    return sign_in


@pytest.fixture
def admin(make_account: Callable[..., Account]) -> Account:
    account = make_account("boss")
    call_command("grant_role", "@boss", "admin", stdout=_Sink())
    return account


@pytest.fixture
def moderator(make_account: Callable[..., Account]) -> Account:
    account = make_account("mod")
    call_command("grant_role", "@mod", "moderator", stdout=_Sink())
    return account


@pytest.fixture
def country_header(settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The operator configured ``SPOOL_COUNTRY_HEADER=CF-IPCountry``."""
    monkeypatch.setattr(settings.SPOOL, "country_header", "CF-IPCountry")
    return "HTTP_CF_IPCOUNTRY"


class _Sink:
    def write(self, text: str) -> None:
        pass
