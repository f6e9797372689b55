"""Fixtures several test packages share: people made through the real services, clients signed in as them,
and roles granted the way an operator does (``manage.py grant_role``). A package's ``conftest.py`` imports
the fixtures it uses from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account

PASSWORD = "a long enough passphrase"


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    def make(handle: str) -> Account:
        return register_account(email=f"{handle}@example.com", password=PASSWORD, handle=handle)

    return make


@pytest.fixture
def login(db: None) -> Callable[..., CommitClient]:
    """A new client signed in as the given account (extra arguments become request headers)."""

    def sign_in(account: Account, **headers: Any) -> CommitClient:
        client = CommitClient(**headers)
        client.force_login(account.user)
        return client

    return sign_in


def grant_role(handle: str, role: str) -> None:
    """``manage.py grant_role @handle role``, as an operator runs it."""
    call_command("grant_role", f"@{handle}", role, stdout=_Sink())


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
