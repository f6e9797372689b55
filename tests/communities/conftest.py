"""People, a moderator and a community made through the real services, and clients signed in as them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spool.communities.models import Community
from spool.communities.services import create_community
from spool.identities.models import Account
from tests.feeds import conftest as shared

# The same people and signed-in clients as the feeds tests.
people = shared.people
login = shared.login


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
