"""People who signed up through the accounts API, each with a signed-in client, and helpers that drive the
posts API (``/api/spool/v1/posts/``) the way any client would."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

API = "/api/spool/v1/posts/"
ACCOUNTS = "/api/spool/v1/accounts/"
PASSWORD = "correct horse battery staple"


def png(width: int = 8, height: int = 6, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Person:
    client: Any
    handle: str
    id: int

    # --- raw HTTP ---
    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def send(self, method: str, path: str, data: Any = None) -> Any:
        body = json.dumps(data if data is not None else {})
        return getattr(self.client, method)(API + path, body, content_type="application/json")

    def account_action(self, handle: str, verb: str) -> Any:
        response = self.client.post(f"{ACCOUNTS}{handle}/{verb}", "{}", content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()

    # --- posts ---
    def try_post(self, text: str = "", **fields: Any) -> Any:
        return self.send("post", "", {"text": text, **fields})

    def write(self, text: str = "", **fields: Any) -> dict[str, Any]:
        response = self.try_post(text, **fields)
        assert response.status_code == 201, response.content
        return response.json()

    def reply(self, post: dict[str, Any] | str, text: str = "a reply", **fields: Any) -> dict[str, Any]:
        return self.write(text, reply_to_id=post["id"] if isinstance(post, dict) else post, **fields)

    def act(self, post: dict[str, Any] | str, verb: str, data: Any = None) -> Any:
        post_id = post["id"] if isinstance(post, dict) else post
        return self.send("post", f"{post_id}/{verb}", data)

    def see(self, post: dict[str, Any] | str) -> Any:
        return self.get(str(post["id"] if isinstance(post, dict) else post))

    def view(self, post: dict[str, Any] | str) -> dict[str, Any]:
        response = self.see(post)
        assert response.status_code == 200, response.content
        return response.json()

    def upload(self, data: bytes | None = None, alt_text: str = "", name: str = "a.png") -> Any:
        upload = SimpleUploadedFile(name, data if data is not None else png(), content_type="image/png")
        return self.client.post(API + "media", {"file": upload, "alt_text": alt_text})

    def media_id(self, alt_text: str = "") -> str:
        response = self.upload(alt_text=alt_text)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    # --- the social graph, through the accounts API ---
    def follow(self, other: Person) -> Any:
        return self.account_action(other.handle, "follow")

    def block(self, other: Person) -> Any:
        return self.account_action(other.handle, "block")

    def mute(self, other: Person) -> Any:
        return self.account_action(other.handle, "mute")

    def restrict(self, other: Person) -> Any:
        return self.account_action(other.handle, "restrict")

    def go_private(self) -> None:
        response = self.client.patch(
            ACCOUNTS + "me", json.dumps({"is_private": True}), content_type="application/json"
        )
        assert response.status_code == 200, response.content

    def approve(self, requester: Person) -> None:
        response = self.client.post(
            f"{ACCOUNTS}me/follow_requests/{requester.handle}/approve", "{}", content_type="application/json"
        )
        assert response.status_code == 200, response.content

    def deactivate(self) -> None:
        response = self.client.post(
            ACCOUNTS + "me/deactivate", json.dumps({"password": PASSWORD}), content_type="application/json"
        )
        assert response.status_code == 200, response.content

    def delete_account(self) -> None:
        response = self.client.post(
            ACCOUNTS + "me/delete", json.dumps({"password": PASSWORD}), content_type="application/json"
        )
        assert response.status_code == 200, response.content

    @property
    def account(self) -> Any:
        from spool.identities.models import Account

        return Account.objects.get(id=self.id)


@pytest.fixture
def person(client: Any) -> Callable[..., Person]:
    """``person("ana")`` signs up @ana through the accounts API and returns her, signed in."""

    def make(handle: str) -> Person:
        own = type(client)()
        body = {"email": f"{handle.lower()}@example.com", "password": PASSWORD, "handle": handle}
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


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The outside world, faked at the transport: names other than localhost do not resolve, so link
    cards of test posts fail fast instead of reaching the network. IP literals pass (databases, Redis and
    the local test servers)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        except OSError:
            if name != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "no network in tests") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
