"""People who signed up through the accounts API, each with a signed-in client, and helpers that drive the
messaging API the way any client would."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

ACCOUNTS = "/api/spool/v1/accounts/"
DM = "/api/spool/v1/messaging/"
PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    client: Any
    handle: str
    id: int

    def call(self, method: str, path: str, data: Any = None) -> Any:
        if method == "get":
            return self.client.get(DM + path, data or {})
        body = json.dumps(data) if data is not None else ""
        return getattr(self.client, method)(DM + path, body, content_type="application/json")

    def ok(self, method: str, path: str, data: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, data)
        assert response.status_code == status, response.content
        return response.json() if response.content else None

    # --- graph ---
    def follow(self, other: Person) -> None:
        response = self.client.post(f"{ACCOUNTS}{other.handle}/follow", "{}", content_type="application/json")
        assert response.status_code == 200, response.content

    def block(self, other: Person) -> None:
        response = self.client.post(f"{ACCOUNTS}{other.handle}/block", "{}", content_type="application/json")
        assert response.status_code == 200, response.content

    def set_bio(self, bio: str = "Hello, I write about birds.") -> None:
        response = self.client.patch(
            ACCOUNTS + "me", json.dumps({"bio": bio}), content_type="application/json"
        )
        assert response.status_code == 200, response.content

    # --- messaging ---
    def dm(self, other: Person, text: str = "hi", **fields: Any) -> Any:
        """Try to message ``other``; the response."""
        return self.call("post", "conversations", {"to": other.handle, "text": text, **fields})

    def start(self, other: Person, text: str = "hi", **fields: Any) -> dict[str, Any]:
        response = self.dm(other, text, **fields)
        assert response.status_code == 201, response.content
        return response.json()

    def send(self, conversation_id: str, text: str = "hello", **fields: Any) -> Any:
        return self.call("post", f"conversations/{conversation_id}/messages", {"text": text, **fields})

    def say(self, conversation_id: str, text: str = "hello", **fields: Any) -> dict[str, Any]:
        response = self.send(conversation_id, text, **fields)
        assert response.status_code == 201, response.content
        return response.json()

    def inbox(self, folder: str = "primary", **params: Any) -> list[dict[str, Any]]:
        return self.ok("get", "conversations", {"folder": folder, **params})["items"]

    def messages(self, conversation_id: str, **params: Any) -> list[dict[str, Any]]:
        return self.ok("get", f"conversations/{conversation_id}/messages", params)["items"]

    def texts(self, conversation_id: str) -> list[str]:
        """Texts of the conversation as this person sees it, oldest first (system lines as their text)."""
        items = self.messages(conversation_id, limit=40)
        return [m["text"] if m["kind"] == "text" else f"[{m['system_text']}]" for m in reversed(items)]

    def unread_counts(self) -> dict[str, int]:
        return self.ok("get", "unread_counts")


@pytest.fixture
def person(client: Any) -> Callable[..., Person]:
    """``person("ana")`` signs up @ana through the accounts API and returns her, signed in."""

    def make(handle: str) -> Person:
        own = type(client)()
        body = {"email": f"{handle}@example.com", "password": PASSWORD, "handle": handle}
        response = own.post(ACCOUNTS, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return Person(own, handle, int(response.json()["id"]))

    return make


@pytest.fixture
def ana(person: Callable[..., Person]) -> Person:
    return person("ana")


@pytest.fixture
def bob(person: Callable[..., Person]) -> Person:
    return person("bob")


@pytest.fixture
def cy(person: Callable[..., Person]) -> Person:
    return person("cy")


@pytest.fixture
def friends(ana: Person, bob: Person) -> tuple[Person, Person]:
    """Ana and Bob follow each other."""
    ana.follow(bob)
    bob.follow(ana)
    return ana, bob


@pytest.fixture
def png() -> Callable[[], Any]:
    """A fresh small PNG upload."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    def make() -> Any:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
        return SimpleUploadedFile("dot.png", buffer.getvalue(), content_type="image/png")

    return make
