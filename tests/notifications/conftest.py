"""People who signed up through the accounts API, each with a signed-in client, and helpers that drive the
posts, accounts and notifications APIs the way any client would."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

ACCOUNTS = "/api/spool/v1/accounts/"
POSTS = "/api/spool/v1/posts/"
NOTIFICATIONS = "/api/spool/v1/notifications/"
PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    client: Any
    handle: str
    id: int

    def send(self, path: str, data: Any = None, method: str = "post") -> Any:
        body = json.dumps(data if data is not None else {})
        return getattr(self.client, method)(path, body, content_type="application/json")

    def ok(self, path: str, data: Any = None, method: str = "post", status: int = 200) -> Any:
        response = self.send(path, data, method)
        assert response.status_code == status, response.content
        return response.json() if response.content else None

    # --- posts ---
    def write(self, text: str = "a post", **fields: Any) -> dict[str, Any]:
        return self.ok(POSTS, {"text": text, **fields}, status=201)

    def reply(self, post: dict[str, Any], text: str = "a reply", **fields: Any) -> dict[str, Any]:
        return self.write(text, reply_to_id=post["id"], **fields)

    def quote(self, post: dict[str, Any], text: str = "a quote") -> dict[str, Any]:
        return self.write(text, quote_of_id=post["id"])

    def act(self, post: dict[str, Any], verb: str, data: Any = None) -> Any:
        return self.ok(f"{POSTS}{post['id']}/{verb}", data)

    def edit(self, post: dict[str, Any], text: str) -> Any:
        return self.ok(f"{POSTS}{post['id']}", {"text": text}, method="patch")

    def delete_post(self, post: dict[str, Any]) -> None:
        response = self.client.delete(f"{POSTS}{post['id']}")
        assert response.status_code == 204, response.content

    # --- the social graph ---
    def graph(self, other: Person, verb: str) -> Any:
        return self.ok(f"{ACCOUNTS}{other.handle}/{verb}")

    def answer_request(self, requester: Person, verb: str) -> Any:
        return self.ok(f"{ACCOUNTS}me/follow_requests/{requester.handle}/{verb}")

    def go_private(self) -> None:
        self.ok(ACCOUNTS + "me", {"is_private": True}, method="patch")

    # --- notifications ---
    def notifications(self, **params: Any) -> dict[str, Any]:
        response = self.client.get(NOTIFICATIONS, params)
        assert response.status_code == 200, response.content
        return response.json()

    def kinds(self) -> list[tuple[str, str | None, str | None]]:
        """(kind, actor handle, post id) of every notification, newest first."""
        items = self.notifications(limit=40)["items"]
        return [
            (n["kind"], n["actor"]["handle"] if n["actor"] else None, n["post"]["id"] if n["post"] else None)
            for n in items
        ]

    def unread(self) -> int:
        response = self.client.get(NOTIFICATIONS + "unread_count")
        assert response.status_code == 200, response.content
        return response.json()["unread_count"]


@pytest.fixture
def person(client: Any) -> Callable[[str], Person]:
    """``person("ana")`` signs up @ana through the accounts API and returns her, signed in."""

    def make(handle: str) -> Person:
        own = type(client)()
        body = {"email": f"{handle}@example.com", "password": PASSWORD, "handle": handle}
        response = own.post(ACCOUNTS, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return Person(own, handle, int(response.json()["id"]))

    return make


@pytest.fixture
def ana(person: Callable[[str], Person]) -> Person:
    return person("ana")


@pytest.fixture
def bob(person: Callable[[str], Person]) -> Person:
    return person("bob")


@pytest.fixture
def cy(person: Callable[[str], Person]) -> Person:
    return person("cy")
