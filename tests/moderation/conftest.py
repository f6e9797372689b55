"""People made through the real services and clients signed in as them (:mod:`tests.people`), moderators
named the way an operator does, and publishing with the after-commit work run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from conftest import CommitClient
from spool.identities.models import Account
from tests.people import PASSWORD, grant_role, login, make_account

REPORTS = "/api/spool/v1/reports/"
__all__ = ["PASSWORD", "login", "make_account"]


@pytest.fixture
def write(db: None) -> Callable[..., Any]:
    """Publish a post through the real service; its after-commit work (the spam score) runs right after,
    as it would after a real commit."""
    from django.test import TestCase

    from spool.posts.services import create_post

    def publish(author: Account, text: str = "Hello there", **options: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return create_post(author, text=text, **options)

    return publish


@pytest.fixture
def ana(make_account: Callable[..., Account]) -> Account:
    return make_account("ana")


@pytest.fixture
def bob(make_account: Callable[..., Account]) -> Account:
    return make_account("bob")


@pytest.fixture
def mod(make_account: Callable[..., Account]) -> Account:
    account = make_account("mod")
    grant_role("mod", "moderator")
    return account


@pytest.fixture
def boss(make_account: Callable[..., Account]) -> Account:
    account = make_account("boss")
    grant_role("boss", "admin")
    return account


def api_report(client: CommitClient, **body: Any) -> Any:
    return client.post(REPORTS, json.dumps(body), content_type="application/json")
