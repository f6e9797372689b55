"""Mastodon-API test fixtures: people with OAuth tokens (minted through the OAuth services) and a client
per token that sends ``Authorization: Bearer``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account
from spool.oauth import scopes as scope_rules
from spool.oauth.services import create_application, issue_token

ALL_SCOPES = "read write follow push"


@dataclass
class Caller:
    """A Mastodon client holding one token. ``account`` is None for an app (client-credentials) token."""

    client: CommitClient
    account: Account | None
    token: str

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.post(path, json.dumps(data or {}), content_type="application/json", **extra)

    def form(self, method: str, path: str, data: dict[str, Any]) -> Any:
        """Send form-encoded (or multipart, when ``data`` holds files) the way most Mastodon apps do."""
        if method == "post":
            return self.client.post(path, data)
        from urllib.parse import urlencode

        return getattr(self.client, method)(
            path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
        )

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(path, json.dumps(data), content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(path, json.dumps(data), content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


def token_client(account: Account | None, scopes: str = ALL_SCOPES) -> Caller:
    app = create_application(name="Test client", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes=ALL_SCOPES)
    issued = issue_token(app.application, account, scope_rules.parse(scopes))
    client = CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued.access_token}")
    return Caller(client, account, issued.access_token)


@pytest.fixture
def mastodon(db: None) -> Callable[..., Caller]:
    """``mastodon("ana")`` registers @ana and returns a client with a token for her (all scopes by default);
    ``mastodon("ana", scopes="read:statuses")`` narrows the token; ``mastodon(None)`` is an app token."""
    made: dict[str, Account] = {}

    def make(handle: str | None, *, scopes: str = ALL_SCOPES, **profile: Any) -> Caller:
        if handle is None:
            return token_client(None, scopes)
        if handle not in made:
            made[handle] = register_account(
                email=f"{handle.lower()}@example.com",
                password="correct horse battery staple",
                handle=handle,
                client_address=None,
                **profile,
            )
        return token_client(made[handle], scopes)

    return make
