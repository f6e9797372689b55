"""Which thread a post belongs to, and whether someone muted it (read by the notification rules)."""

from __future__ import annotations

from django.db.models import Q

from spool.posts.models import ConversationMute, Post


def conversation_root(post: Post) -> int:
    """The ID a thread is known by: its first post's (a root post is its own; a reply whose root was deleted
    stands for itself)."""
    return post.root_id or post.id


def conversation_muted(account_id: int, post_id: int) -> bool:
    """Whether ``account_id`` muted the thread ``post_id`` belongs to. One indexed query."""
    thread = Post.objects.filter(id=post_id, root_id__isnull=False).values("root_id")
    return (
        ConversationMute.objects.filter(account_id=account_id)
        .filter(Q(root_id=post_id) | Q(root_id__in=thread))
        .exists()
    )
