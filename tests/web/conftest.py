"""Helpers for the page tests: people made through the real services, and clients signed in as them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account, update_profile

PASSWORD = "a long enough passphrase"


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    def make(
        handle: str, *, private: bool = False, display_name: str = "", password: str = PASSWORD
    ) -> Account:
        account = register_account(
            email=f"{handle.lower()}@example.com", password=password, handle=handle, display_name=display_name
        )
        if private:
            update_profile(account, is_private=True)
        return account

    return make


@pytest.fixture
def login(db: None) -> Callable[[Account], CommitClient]:
    """A new client signed in as the given account."""

    def sign_in(account: Account) -> CommitClient:
        c = CommitClient()
        c.force_login(account.user)
        return c

    return sign_in


def body(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def write(db: None, on_commit: Any) -> Callable[..., Any]:
    """Publish a post through the real service (after-commit work runs)."""
    from spool.posts.services import create_post

    def publish(author: Account, text: str = "Hello", **options: Any) -> Any:
        return create_post(author, text=text, **options)

    return publish


def png_file(name: str = "image.png", size: int = 32, color: tuple[int, int, int] = (30, 120, 200)) -> Any:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer
