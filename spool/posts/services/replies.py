"""Hiding replies. Only the author of a thread's first post hides replies in it. Hiding a reply hides its
whole branch: each post hidden by it points at it through ``hidden_by``, so unhiding reverses exactly what
that hide did and leaves alone branches hidden on their own."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from spool.core.errors import Conflict, Forbidden, ValidationError
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.models import Post
from spool.posts.services.guards import check_actor

MAX_BRANCH = 10_000


def _branch_ids(reply_id: int) -> list[int]:
    """IDs of every reply below ``reply_id`` (breadth first, one query per level)."""
    found: list[int] = []
    level = [reply_id]
    while level and len(found) < MAX_BRANCH:
        level = list(Post.objects.filter(reply_to_id__in=level).values_list("id", flat=True))
        found.extend(level)
    return found


def _thread_reply(actor: Account, reply_id: Any) -> Post:
    reply = access_post(actor, reply_id)
    if not reply.is_reply:
        raise ValidationError("Only replies can be hidden.", code="not_a_reply")
    root_author_id = reply.root.author_id if reply.root_id else None  # type: ignore[union-attr]
    if root_author_id != actor.id:
        raise Forbidden("Only the author of the thread can hide replies in it.", code="not_thread_author")
    return reply


def hide_reply(actor: Account, reply_id: Any) -> Post:
    """Hide a reply in a thread ``actor`` started, with everything below it. Posts already hidden by an
    earlier hide higher up are taken over by this one (so unhiding the higher one leaves this branch
    hidden); posts hidden on their own stay as they are. Hiding a reply twice is a no-op."""
    check_actor(actor)
    with transaction.atomic():
        reply = _thread_reply(actor, reply_id)
        if reply.hidden and reply.hidden_by_id == reply.id:
            return reply
        previous = reply.hidden_by_id
        branch = [reply.id, *_branch_ids(reply.id)]
        take = Q(hidden=False)
        if previous is not None:
            take |= Q(hidden_by_id=previous)
        Post.objects.filter(id__in=branch).filter(take).update(hidden=True, hidden_by_id=reply.id)
    return access_post(actor, reply.id)


def unhide_reply(actor: Account, reply_id: Any) -> Post:
    """Show again what hiding this reply hid. A reply hidden because a reply above it is hidden can't be
    unhidden on its own (``Conflict``); unhiding a reply that is not hidden is a no-op."""
    check_actor(actor)
    with transaction.atomic():
        reply = _thread_reply(actor, reply_id)
        if not reply.hidden:
            return reply
        if reply.hidden_by_id != reply.id:
            raise Conflict(
                "This reply is hidden because a reply above it is hidden; unhide that one.",
                code="hidden_by_parent",
            )
        Post.objects.filter(hidden_by_id=reply.id).update(hidden=False, hidden_by_id=None)
    return access_post(actor, reply.id)
