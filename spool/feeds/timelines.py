"""The timelines the Mastodon API pages through besides home (which lives with the read-time home query in
:mod:`spool.posts.timelines`): the public timeline, a topic's timeline and a list's timeline. Each is one
``visible_to`` query (plus one for reposts on lists) paged by :func:`entries_page`."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from spool.feeds.models import List, ListMember, RepliesPolicy
from spool.identities.models import Account, Follow, Mute
from spool.posts.batch import FeedEntry
from spool.posts.models import Media, Post, Repost
from spool.posts.services.topics import find_topic
from spool.posts.timelines import Window, entries_page, public_posts

Entries = tuple[list[FeedEntry], bool]


def _with_media(qs: Any) -> Any:
    return qs.filter(Exists(Media.objects.filter(post_id=OuterRef("id"))))


def _origin(qs: Any, *, local: bool, remote: bool) -> Any:
    """``local``: only this server's accounts; ``remote``: only other servers' (none until federation)."""
    if local and not remote:
        return qs.filter(author__domain="")
    if remote and not local:
        return qs.exclude(author__domain="")
    return qs


def public_entries(
    viewer: Account | None,
    window: Window,
    *,
    local: bool = False,
    remote: bool = False,
    only_media: bool = False,
) -> Entries:
    """Top-level posts of public profiles, newest first (Mastodon's public timeline leaves out replies and
    reblogs too): :func:`~spool.posts.timelines.public_posts`."""
    qs = _origin(public_posts(viewer), local=local, remote=remote)
    if only_media:
        qs = _with_media(qs)
    return entries_page(viewer, qs, None, window)


def topic_entries(
    viewer: Account | None,
    topic_name: str,
    window: Window,
    *,
    local: bool = False,
    remote: bool = False,
    only_media: bool = False,
) -> Entries:
    """Posts (replies too) tagged with the topic written ``topic_name``, newest first; empty for an unknown
    topic; muted authors and limited servers' accounts the viewer does not follow left out."""
    topic = find_topic(topic_name)
    if topic is None:
        return [], False
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).open_reach(viewer).filter(topic_id=topic.id)
    qs = _origin(qs, local=local, remote=remote)
    if only_media:
        qs = _with_media(qs)
    return entries_page(viewer, qs, None, window)


def list_entries(viewer: Account, lst: List, window: Window) -> Entries:
    """Posts and reposts by the list's members (who the owner still follows), newest first. Replies by
    members show according to the list's ``replies_policy``: replies to other members (``list``), to anyone
    the owner follows (``followed``), or none (``none``)."""
    members = ListMember.objects.filter(list=lst).values("account_id")
    followed = Follow.objects.filter(follower_id=viewer.id).values("followee_id")
    replies = Q(pk__in=[])
    if lst.replies_policy == RepliesPolicy.LIST:
        replies = Q(reply_to_author_id__in=members)
    elif lst.replies_policy == RepliesPolicy.FOLLOWED:
        replies = Q(reply_to_author_id__in=followed) | Q(reply_to_author_id=viewer.id)
    posts_qs = (
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .filter(author_id__in=members)
        .filter(Q(is_reply=False) | (Q(reply_to_id__isnull=False) & replies))
    )
    muted = Mute.objects.filter(muter_id=viewer.id).values("muted_id")
    reposts_qs = (
        Repost.objects.filter(account_id__in=members, account__is_active=True)
        .exclude(post__author_id__in=muted)
        .exclude(account_id__in=muted)
    )
    return entries_page(viewer, posts_qs, reposts_qs, window)
