"""A seam for looking up accounts on other servers without importing federation.

Domain code (search) asks :func:`resolve_remote_account`; the federation app registers the function that
does the work (WebFinger, then the actor) in its ``AppConfig.ready``. With federation absent or switched
off, nothing is registered and every lookup answers ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_resolver: list[Callable[[str], Any]] = []


def register_remote_resolver(resolver: Callable[[str], Any]) -> None:
    _resolver[:] = [resolver]


def resolve_remote_account(handle: str) -> Any:
    """The Account for ``@user@server``, fetched if need be, or ``None``."""
    return _resolver[0](handle) if _resolver else None


def looks_remote(q: str, local_domain: str) -> bool:
    """Whether ``q`` is a full fediverse handle on another server (``@user@server`` / ``user@server``)."""
    user, sep, domain = q.strip().lstrip("@").partition("@")
    return bool(user and sep and domain and "@" not in domain and domain.lower() != local_domain.lower())
