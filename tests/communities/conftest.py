"""People, a moderator and a community made through the real services, and clients signed in as them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import TestCase

from conftest import CommitClient
from spool.communities.models import Community
from spool.communities.services import create_community
from spool.identities.models import Account
from spool.identities.services import register_account


def committed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service and then its after-commit work, as a real request would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


@pytest.fixture
def people(db: None) -> Callable[..., Account]:
    made: dict[str, Account] = {}

    def make(handle: str) -> Account:
        if handle not in made:
            made[handle] = register_account(
                email=f"{handle.lower()}@example.com",
                password="correct horse battery staple",
                handle=handle,
                client_address=None,
            )
        return made[handle]

    return make


@pytest.fixture
def moderator(people: Callable[..., Account]) -> Account:
    account = people("mod")
    account.user.is_staff = True  # type: ignore[union-attr]
    account.user.save(update_fields=["is_staff"])  # type: ignore[union-attr]
    return account


@pytest.fixture
def community(moderator: Account) -> Community:
    return create_community(
        moderator,
        topic="Gardening",
        name="Gardeners",
        description="Dirt under the nails.",
        like_emoji="🌱",
        flair_options=["Beginner", "Expert"],
    )


@pytest.fixture
def login(db: None) -> Callable[[Account], CommitClient]:
    def sign_in(account: Account) -> CommitClient:
        client = CommitClient()
        client.force_login(account.user)
        return client

    return sign_in
