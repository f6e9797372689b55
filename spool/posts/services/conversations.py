"""Muting a conversation: no more notifications from one thread (see :func:`spool.posts.conversations.
conversation_muted`, which the notification rules consult)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.conversations import conversation_root
from spool.posts.models import ConversationMute, Post
from spool.posts.services.guards import check_actor


def mute_conversation(actor: Account, post_id: Any) -> Post:
    """Mute the thread of a post ``actor`` can see (its root's thread; idempotent)."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        root_id = conversation_root(post)
        if not ConversationMute.objects.filter(account=actor, root_id=root_id).exists():
            try:
                with transaction.atomic():
                    ConversationMute.objects.create(account=actor, root_id=root_id)
            except IntegrityError:  # a concurrent request muted it first
                pass
    return post


def unmute_conversation(actor: Account, post_id: Any) -> Post:
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        ConversationMute.objects.filter(account=actor, root_id=conversation_root(post)).delete()
    return post
