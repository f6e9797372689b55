"""The read vocabulary of posts. ``Post.objects.visible_to(viewer)`` is the single chokepoint every read goes
through (pages, both APIs, batch loading, notifications); nothing else decides who may see a post.

It is written as subqueries and joins only, so it composes with any filter, pagination or ordering and never
loads rows of the social graph into Python. It joins no other post: a reply carries its parent's and its
thread root's author and whether the root is a ghost post (``Post.reply_to_author``, ``root_author``,
``root_ghost``), copied when it is written.

Building the rule costs several milliseconds of Python (Django turns some thirty conditions into SQL
structures), and a page asks for it three or four times. The rule depends on nothing but the viewer's ID
(everything about the social graph is a subquery), so ``Post.objects.visible_to`` builds it once per viewer
and process and hands out clones (:func:`_visible_base`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from spool.identities.models import Block, Follow, Mute, Restrict
from spool.identities.servers import ServerPolicy, limited_for, refused_servers, server_policy

if TYPE_CHECKING:
    from spool.identities.models import Account

GHOST_ARCHIVED = "archived"
HELD_FOR_REVIEW = "review"
# Viewers whose built rule is kept per process (a few KB each).
VISIBLE_CACHE_SIZE = 2048


def _may_see_posts_of(prefix: str, viewer_id: int | None, following: Any) -> Q:
    """The account at ``prefix`` (``"author"``, ``"reply_to_author"``, ``"root_author"``) is public, is the
    viewer, or is followed by the viewer."""
    public = Q(**{f"{prefix}__is_private": False})
    if viewer_id is None:
        return public
    return public | Q(**{f"{prefix}_id": viewer_id}) | Q(**{f"{prefix}_id__in": following})


def _restricted_by(author_field: str) -> Exists:
    """The post's author is restricted by the account in ``author_field`` (``reply_to_author_id`` or
    ``root_author_id``)."""
    return Exists(
        Restrict.objects.filter(restricter_id=OuterRef(author_field), restricted_id=OuterRef("author_id"))
    )


def visibility_rule(viewer_id: int | None, policy: ServerPolicy | None = None) -> Q:
    """The condition ``visible_to`` filters on, for the viewer with ``viewer_id`` (``None`` = logged out).
    ``policy``: the operator's server lists (read from the settings when not given).

    ``reply_to_author``/``root_author``/``root_ghost`` are read only where ``reply_to``/``root`` is still
    set: a deleted parent or root counts as no parent or root, as it always has."""
    logged_in = viewer_id is not None
    following = Follow.objects.filter(follower_id=viewer_id).values("followee_id") if logged_in else None
    nobody = Q(pk__in=[])
    no_parent = Q(reply_to_id__isnull=True)
    no_root = Q(root_id__isnull=True)
    is_author = Q(author_id=viewer_id) if logged_in else nobody
    # Unchecked: only for use where ``no_parent``/``no_root`` is already an alternative.
    wrote_parent = Q(reply_to_author_id=viewer_id) if logged_in else nobody
    wrote_root = Q(root_author_id=viewer_id) if logged_in else nobody
    rule = (
        Q(author__is_active=True)
        & _may_see_posts_of("author", viewer_id, following)
        & (no_parent | _may_see_posts_of("reply_to_author", viewer_id, following))
        & (no_root | _may_see_posts_of("root_author", viewer_id, following))
        & (~Q(ghost=GHOST_ARCHIVED) | is_author)
        & (Q(hidden=False) | is_author | (~no_root & wrote_root))
        & (no_parent | ~_restricted_by("reply_to_author_id") | is_author | wrote_parent)
        & (no_root | ~_restricted_by("root_author_id") | is_author | wrote_root)
        & (no_root | Q(root_ghost=False) | is_author | wrote_root | (~no_parent & wrote_parent))
        # Moderation: removed posts are gone for everyone; posts held for review are seen by their author.
        & (Q(moderation_state="") | (Q(moderation_state=HELD_FOR_REVIEW) & is_author))
        # Servers admins blocked (or, in allowlist mode, did not allow): their accounts' posts leave every
        # timeline, page and API at once.
        & ~refused_servers("author", policy)
    )
    if logged_in:
        rule &= ~Q(author_id__in=Block.objects.filter(blocker_id=viewer_id).values("blocked_id"))
        rule &= ~Q(author_id__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id"))
    return rule


class PostQuerySet(models.QuerySet[Any]):
    def visible_to(self, viewer: Account | None) -> PostQuerySet:
        """Posts ``viewer`` (``None`` = logged out) may see. Leaves out posts whose author is deactivated,
        blocks or is blocked by the viewer, or is private and not followed (authors always see their own);
        replies in threads of private authors the viewer cannot see; others' archived ghost posts; hidden
        replies (except for the thread's root author and the reply's author); replies by someone the parent's
        or the root's author restricted (seen by the replier and that author only); replies in a ghost post's
        thread (seen by the replier, the parent's author and the ghost post's author only); posts moderators
        removed, posts held for review (seen by their author only), and posts by accounts on blocked servers
        (and, in allowlist mode, on servers not allowed).

        Muted authors are *not* left out here: feeds add :meth:`in_feeds_of`, profile pages do not.

        ``Post.objects.visible_to`` (the manager's) returns the same posts from a rule built once per viewer;
        this one, on an already filtered queryset, builds it each time."""
        # One Q applied with one filter(): each extra filter() clones the query.
        return self.filter(visibility_rule(viewer.id if viewer is not None else None))

    def in_feeds_of(self, viewer: Account | None) -> PostQuerySet:
        """Without authors ``viewer`` muted: for feeds (home, topic, what's new), not for profile pages."""
        if viewer is None:
            return self
        return self.exclude(author_id__in=Mute.objects.filter(muter_id=viewer.id).values("muted_id"))

    def full_reach(self, viewer: Account | None = None) -> PostQuerySet:
        """Without posts moderators limited the reach of, nor (:meth:`open_reach`) posts from limited servers
        ``viewer`` does not follow: for discovery surfaces (For You, trending, search, recommendations), not
        for profiles, threads or the home feed of followers. Without a viewer (trending counts, which are not
        personal) every post from a limited server is left out."""
        return self.filter(reach_limited=False).open_reach(viewer)

    def open_reach(self, viewer: Account | None) -> PostQuerySet:
        """Without posts by accounts on limited ("silenced") servers that ``viewer`` does not follow: for
        every public surface (What's new, topic feeds, the public timelines) and, through
        :meth:`full_reach`, every discovery surface. See :mod:`spool.identities.servers`."""
        return self.filter(~limited_for(viewer.id if viewer is not None else None))

    def top_level(self) -> PostQuerySet:
        return self.filter(is_reply=False)

    def for_cards(self) -> PostQuerySet:
        """With what every card shows joined in (author, topic, link card)."""
        return self.select_related("author", "topic", "card")


@lru_cache(maxsize=VISIBLE_CACHE_SIZE)
def _visible_base(model: type[models.Model], viewer_id: int | None, policy: ServerPolicy) -> PostQuerySet:
    """``model.objects.all().visible_to(viewer)``, built once per viewer ID. Never evaluated itself (so it
    holds no rows): callers get ``.all()`` clones, as Django does whenever a queryset is filtered further.
    Safe to keep, because the rule holds only the viewer's ID — follows, blocks, restricts and privacy are
    subqueries read when a clone runs; the operator's server lists (settings) are part of the key."""
    return PostQuerySet(model).filter(visibility_rule(viewer_id, policy))


class PostManager(models.Manager.from_queryset(PostQuerySet)):  # type: ignore[misc]
    def visible_to(self, viewer: Account | None) -> PostQuerySet:
        """Same as :meth:`PostQuerySet.visible_to`, from the rule built once per viewer and process."""
        if self._db is not None:
            return self.get_queryset().visible_to(viewer)
        viewer_id = viewer.id if viewer is not None else None
        return _visible_base(self.model, viewer_id, server_policy()).all()
