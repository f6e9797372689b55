"""People registered through the identity services, for tests of the feeds services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spool.identities.models import Account
from spool.identities.services import register_account


@pytest.fixture
def people(db: None) -> Callable[..., Account]:
    """``people("ana")`` registers @ana (once) and returns her account."""
    made: dict[str, Account] = {}

    def make(handle: str, **profile: Any) -> Account:
        if handle not in made:
            made[handle] = register_account(
                email=f"{handle.lower()}@example.com",
                password="correct horse battery staple",
                handle=handle,
                client_address=None,
                **profile,
            )
        return made[handle]

    return make


@pytest.fixture
def login(db: None) -> Callable[[Account], Any]:
    """A new client signed in as the given account."""
    from conftest import CommitClient

    def sign_in(account: Account) -> CommitClient:
        client = CommitClient()
        client.force_login(account.user)
        return client

    return sign_in


# Signed-in clients of the feeds API, for the custom feed tests.
from tests.feeds.custom_helpers import reader  # noqa: E402, F401
