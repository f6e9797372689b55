"""Cards for single posts the pages re-render after an action (a like, a vote) or show as context."""

from __future__ import annotations

from typing import Any

from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.batch import PostCard, build_card


def card_for(viewer: Account | None, post_id: Any) -> PostCard:
    """The card of a post ``viewer`` may see; ``NotFound`` otherwise (same as missing)."""
    return build_card(viewer, access_post(viewer, post_id))
