"""Channel-layer group names (ASCII letters, digits, ``.``, ``-``, ``_``; under 100 characters)."""

from __future__ import annotations

import hashlib
from typing import Literal

from spool.posts.services.validation import normalise_topic

Locality = Literal["all", "local", "remote"]


def account_group(account_id: int) -> str:
    return f"account.{account_id}"


def home_group(account_id: int) -> str:
    return f"home.{account_id}"


def notifications_group(account_id: int) -> str:
    return f"notifications.{account_id}"


def direct_group(account_id: int) -> str:
    return f"direct.{account_id}"


def list_group(list_id: int) -> str:
    return f"list.{list_id}"


def public_group(locality: Locality = "all", *, media: bool = False) -> str:
    name = "public" if locality == "all" else f"public.{locality}"
    return f"{name}.media" if media else name


def hashtag_group(name: str, *, local: bool = False) -> str:
    """Tags are matched as topics are (case-folded, ``#`` and extra spaces ignored); the key is hashed
    because a tag may hold any letter."""
    key = hashlib.sha256(normalise_topic(name).encode()).hexdigest()[:32]
    return f"hashtag.local.{key}" if local else f"hashtag.{key}"


def home_account(group: str) -> int | None:
    """The account whose home feed ``group`` is, or ``None`` for any other group."""
    prefix, _, rest = group.partition(".")
    return int(rest) if prefix == "home" and rest.isdigit() else None
