"""Where remote accounts and posts live: their ActivityPub id and the page people open on their server.

Pages and the client API show remote things with a link to the original; these read it for a whole page of
accounts or posts at once (one query each, none when nothing in the batch is remote).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spool.federation.models import RemoteActor, RemotePost


@dataclass(frozen=True)
class Origin:
    """``uri`` is the ActivityPub id; ``url`` the page for people (the id when the server gave none)."""

    uri: str
    url: str


def account_origins(account_ids: Iterable[int]) -> dict[int, Origin]:
    """The origins of those of ``account_ids`` that are remote accounts we hold an actor for."""
    wanted = set(account_ids)
    if not wanted:
        return {}
    rows = RemoteActor.objects.filter(account_id__in=wanted).values_list("account_id", "uri", "url")
    return {account_id: Origin(uri, url or uri) for account_id, uri, url in rows}


def post_origins(post_ids: Iterable[int]) -> dict[int, Origin]:
    """The origins of those of ``post_ids`` that are stored remote posts."""
    wanted = set(post_ids)
    if not wanted:
        return {}
    rows = RemotePost.objects.filter(post_id__in=wanted).values_list("post_id", "uri", "url")
    return {post_id: Origin(uri, url or uri) for post_id, uri, url in rows}
