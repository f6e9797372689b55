"""People made through the real services, clients signed in as them, and moderators named the way an
operator does (``manage.py grant_role``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account

PASSWORD = "a long enough passphrase"
REPORTS = "/api/spool/v1/reports/"


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    def make(handle: str) -> Account:
        return register_account(email=f"{handle}@example.com", password=PASSWORD, handle=handle)

    return make


@pytest.fixture
def login(db: None) -> Callable[[Account], CommitClient]:
    def sign_in(account: Account) -> CommitClient:
        client = CommitClient()
        client.force_login(account.user)
        return client

    return sign_in


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
    call_command("grant_role", "mod", "moderator", stdout=_Sink())
    return account


@pytest.fixture
def boss(make_account: Callable[..., Account]) -> Account:
    account = make_account("boss")
    call_command("grant_role", "@boss", "admin", stdout=_Sink())
    return account


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def api_report(client: CommitClient, **body: Any) -> Any:
    return client.post(REPORTS, json.dumps(body), content_type="application/json")
