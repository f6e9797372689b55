"""Which thread a post belongs to, and whether someone muted it (read by the notification rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from spool.core.compiled import compiled
from spool.posts.models import ConversationMute, Post


def conversation_root(post: Post) -> int:
    """The ID a thread is known by: its first post's (a root post is its own; a reply whose root was deleted
    stands for itself)."""
    return post.root_id or post.id


def conversation_muted(account_id: int, post_id: int) -> bool:
    """Whether ``account_id`` muted the thread ``post_id`` belongs to. One indexed query, compiled once per
    process (the notification rules ask it for every recipient of every post)."""
    return bool(_MUTED.run(raw=True, account=account_id, post=post_id))


def conversation_muted_query(account_id: int, post_id: int) -> tuple[str, list[Any]]:
    """The query of :func:`conversation_muted` (SQL and parameters; it finds a row when muted), to be
    asked inside another statement (the notification rules' insert)."""
    return _MUTED.subquery(account=account_id, post=post_id)


def _muted_qs(account: int, post: int) -> QuerySet[ConversationMute, tuple[int]]:
    thread = Post.objects.filter(id=post, root_id__isnull=False).values("root_id")
    return (
        ConversationMute.objects.filter(account_id=account)
        .filter(Q(root_id=post) | Q(root_id__in=thread))
        .values_list("id")[:1]
    )


_MUTED = compiled(_muted_qs, ints=("account", "post"))
