"""The ActivityPub ids of local things, and reading them back.

Actors are addressed by account ID, not handle (a handle may change; an actor id must not):
``/ap/accounts/<id>`` with ``/inbox``, ``/outbox``, ``/followers``, ``/following``, ``/featured``; posts are
``/ap/posts/<id>``; the shared inbox is ``/ap/inbox``. The profile and post pages (``/@handle``,
``/@handle/post/<id>``) answer with the same documents when asked for ActivityStreams JSON.
"""

from __future__ import annotations

import re

from django.conf import settings

from spool.core import snowflake

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = {PUBLIC, "as:Public", "Public"}


def base_url() -> str:
    return settings.SPOOL.public_url


def local_domain() -> str:
    return settings.SPOOL.domain.lower()


def actor_uri(account_id: int) -> str:
    return f"{base_url()}/ap/accounts/{account_id}"


def key_id(account_id: int) -> str:
    return f"{actor_uri(account_id)}#main-key"


def inbox_uri(account_id: int) -> str:
    return f"{actor_uri(account_id)}/inbox"


def shared_inbox_uri() -> str:
    return f"{base_url()}/ap/inbox"


def followers_uri(account_id: int) -> str:
    return f"{actor_uri(account_id)}/followers"


def post_uri(post_id: int) -> str:
    return f"{base_url()}/ap/posts/{post_id}"


def profile_page(handle: str) -> str:
    return f"{base_url()}/@{handle}"


def post_page(handle: str, post_id: int) -> str:
    return f"{base_url()}/@{handle}/post/{post_id}"


def unique_suffix() -> str:
    """A new snowflake, so a repeated action (follow, unfollow, follow) gets a new activity id each time,
    even within one millisecond (the milliseconds used before gave the ``Accept`` of two Follows that
    one batch applied the same id, and the second delivery was taken for a repeat and dropped)."""
    return str(snowflake.next_id())


def _local_id(uri: str, kind: str) -> int | None:
    prefix = f"{base_url()}/ap/{kind}/"
    if not uri.startswith(prefix):
        return None
    match = re.fullmatch(r"(\d{1,20})", uri[len(prefix) :].split("#", 1)[0].rstrip("/"))
    return int(match.group(1)) if match else None


def local_account_id(uri: str) -> int | None:
    """The account ID of one of our actor ids, else ``None``."""
    return _local_id(uri, "accounts")


def local_post_id(uri: str) -> int | None:
    """The post ID of one of our post ids (or post pages), else ``None``."""
    found = _local_id(uri, "posts")
    if found is None:
        match = re.fullmatch(re.escape(base_url()) + r"/@[^/]+/post/(\d{1,20})/?", uri)
        found = int(match.group(1)) if match else None
    return found
