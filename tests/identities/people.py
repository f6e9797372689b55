"""People who signed up through the API, each with their own signed-in test client."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

API = "/api/spool/v1/accounts/"
PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    client: Any
    handle: str
    id: int
    email: str

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(API + path, json.dumps(data or {}), content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(API + path, json.dumps(data), content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path)

    def me(self) -> dict[str, Any]:
        response = self.get("me")
        assert response.status_code == 200, response.content
        return response.json()

    def profile(self, handle: str) -> dict[str, Any]:
        response = self.get(handle)
        assert response.status_code == 200, response.content
        return response.json()


def sign_up(
    client: Any, handle: str, *, email: str | None = None, password: str = PASSWORD, **extra: Any
) -> Any:
    body = {
        "email": email or f"{handle.lower()}@example.com",
        "password": password,
        "handle": handle,
        **extra,
    }
    return client.post(API, json.dumps(body), content_type="application/json")


@pytest.fixture
def person(client: Any) -> Callable[..., Person]:
    """``person("ana")`` signs up @ana through the API and returns her, signed in."""

    def make(handle: str, **extra: Any) -> Person:
        own_client = type(client)()
        response = sign_up(own_client, handle, **extra)
        assert response.status_code == 201, response.content
        body = response.json()
        return Person(own_client, body["handle"], int(body["id"]), body["email"])

    return make
