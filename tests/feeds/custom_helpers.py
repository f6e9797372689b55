"""Signed-in API clients for the custom feed tests: people registered through the identity services, each
with their own client talking to ``/api/spool/v1/feeds/``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account

FEEDS = "/api/spool/v1/feeds/"


@dataclass
class Reader:
    """Someone with a signed-in client for the feeds API."""

    account: Account
    client: CommitClient

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(FEEDS + path, params)

    def send(self, method: str, path: str, data: Any = None) -> Any:
        call = getattr(self.client, method)
        return call(FEEDS + path, json.dumps(data or {}), content_type="application/json")

    def create(self, **definition: Any) -> dict[str, Any]:
        response = self.send("post", "", {"name": "Feed", **definition})
        assert response.status_code == 201, response.content
        body: dict[str, Any] = response.json()
        return body

    def page(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def read_all(self, path: str, limit: int, between: Callable[[], None] | None = None) -> list[list[str]]:
        """Every page of a feed, ``limit`` a page, calling ``between`` after each page; the texts per page."""
        pages: list[list[str]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            body = self.page(path, **params)
            pages.append([item["text"] for item in body["items"]])
            cursor = body["next_cursor"]
            if between is not None:
                between()
            if not cursor:
                return pages
            assert len(pages) < 50, "the cursor does not advance"


@pytest.fixture
def reader(db: None) -> Callable[..., Reader]:
    """``reader("ana")`` registers @ana (once) and returns her with a signed-in client."""
    made: dict[str, Reader] = {}

    def make(handle: str) -> Reader:
        if handle not in made:
            account = register_account(
                email=f"{handle}@example.com", password="correct horse battery staple", handle=handle
            )
            client = CommitClient()
            client.force_login(account.user)
            made[handle] = Reader(account, client)
        return made[handle]

    return make
