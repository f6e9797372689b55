"""The read vocabulary of posts. ``Post.objects.visible_to(viewer)`` is the single chokepoint every read goes
through (pages, both APIs, batch loading, notifications); nothing else decides who may see a post.

It is written as subqueries and joins only, so it composes with any filter, pagination or ordering and never
loads rows of the social graph into Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from spool.identities.models import Block, Follow, Mute, Restrict

if TYPE_CHECKING:
    from spool.identities.models import Account

GHOST_NONE = ""
GHOST_ARCHIVED = "archived"


def _may_see_posts_of(prefix: str, viewer_id: int | None, following: Any) -> Q:
    """The account at ``prefix`` (e.g. ``"author"``, ``"root__author"``) is public, is the viewer, or is
    followed by the viewer."""
    public = Q(**{f"{prefix}__is_private": False})
    if viewer_id is None:
        return public
    return public | Q(**{f"{prefix}_id": viewer_id}) | Q(**{f"{prefix}_id__in": following})


def _restricted_by(prefix: str) -> Exists:
    """The post's author is restricted by the author of the post at ``prefix`` (``reply_to`` or ``root``)."""
    return Exists(
        Restrict.objects.filter(
            restricter_id=OuterRef(f"{prefix}__author_id"), restricted_id=OuterRef("author_id")
        )
    )


class PostQuerySet(models.QuerySet[Any]):
    def visible_to(self, viewer: Account | None) -> PostQuerySet:
        """Posts ``viewer`` (``None`` = logged out) may see. Leaves out posts whose author is deactivated,
        blocks or is blocked by the viewer, or is private and not followed (authors always see their own);
        replies in threads of private authors the viewer cannot see; others' archived ghost posts; hidden
        replies (except for the thread's root author and the reply's author); replies by someone the parent's
        or the root's author restricted (seen by the replier and that author only); replies in a ghost post's
        thread (seen by the replier, the parent's author and the ghost post's author only).

        Muted authors are *not* left out here: feeds add :meth:`in_feeds_of`, profile pages do not."""
        # Built as one Q and applied with one filter(): each extra filter() clones the query, and this
        # runs on every read.
        viewer_id = viewer.id if viewer is not None else None
        following = Follow.objects.filter(follower_id=viewer_id).values("followee_id") if viewer else None
        nobody = Q(pk__in=[])
        is_author = Q(author_id=viewer_id) if viewer is not None else nobody
        is_root_author = Q(root__author_id=viewer_id) if viewer is not None else nobody
        is_parent_author = Q(reply_to__author_id=viewer_id) if viewer is not None else nobody
        rule = (
            Q(author__is_active=True)
            & _may_see_posts_of("author", viewer_id, following)
            & (Q(reply_to__isnull=True) | _may_see_posts_of("reply_to__author", viewer_id, following))
            & (Q(root__isnull=True) | _may_see_posts_of("root__author", viewer_id, following))
            & (~Q(ghost=GHOST_ARCHIVED) | is_author)
            & (Q(hidden=False) | is_author | is_root_author)
            & (~_restricted_by("reply_to") | is_author | is_parent_author)
            & (~_restricted_by("root") | is_author | is_root_author)
            & (
                Q(root__isnull=True)
                | Q(root__ghost=GHOST_NONE)
                | is_author
                | is_root_author
                | is_parent_author
            )
        )
        if viewer is not None:
            rule &= ~Q(author_id__in=Block.objects.filter(blocker_id=viewer_id).values("blocked_id"))
            rule &= ~Q(author_id__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id"))
        return self.filter(rule)

    def in_feeds_of(self, viewer: Account | None) -> PostQuerySet:
        """Without authors ``viewer`` muted: for feeds (home, topic, what's new), not for profile pages."""
        if viewer is None:
            return self
        return self.exclude(author_id__in=Mute.objects.filter(muter_id=viewer.id).values("muted_id"))

    def top_level(self) -> PostQuerySet:
        return self.filter(is_reply=False)

    def for_cards(self) -> PostQuerySet:
        """With what every card shows joined in (author, topic, link card)."""
        return self.select_related("author", "topic", "card")
