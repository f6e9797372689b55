"""Hidden words for every list of posts: the one chokepoint that screens a page for its viewer.

``screen_for_viewer(viewer, items, context)`` leaves out the items whose post a ``hide`` filter of the viewer
catches in ``context``, or Spool's default list of offensive words while the viewer keeps it on (see
:mod:`spool.identities.word_filters` for the matching rules). It costs at most three queries per page
(the viewer's filters, keywords and single posts; one when they have none) and none for logged-out viewers.

Every feed calls it on the page it is about to show — Following, What's new, topics, profiles, replies in a
thread, search, and the For You and custom feeds as they arrive — so a hidden word is hidden everywhere.
Visibility (blocks, privacy, mutes) is decided before, by ``Post.objects.visible_to``; this only removes.

Contexts are Mastodon's, so filters made through the Mastodon API and on the Hidden words page agree:
``FOLLOWING`` (home), ``PUBLIC`` (What's new, topics, search, custom feeds, For You), ``PROFILE``
(account), ``REPLIES`` (thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from spool.identities.word_filters import FilterMatch, hidden_ids, matching
from spool.posts.batch import FeedEntry, PostCard
from spool.posts.models import Post, Repost

if TYPE_CHECKING:
    from spool.identities.models import Account

FOLLOWING = "home"
PUBLIC = "public"
PROFILE = "account"
REPLIES = "thread"

Item = TypeVar("Item", Post, PostCard, FeedEntry, Repost)


def post_of(item: Post | PostCard | FeedEntry | Repost) -> Post:
    """The post an item of a list shows (a card's, an entry's or a repost's post)."""
    return item if isinstance(item, Post) else item.post


def screened_text(post: Post) -> str:
    """What hidden words are matched against: the text, the text attachment and the topic's name."""
    topic = post.topic.display if post.topic_id and post.topic else ""
    return "\n".join(part for part in (post.text, post.attachment_text, topic) if part)


def filter_matches(
    viewer: Account | None, items: Sequence[Post | PostCard | FeedEntry | Repost], context: str
) -> dict[int, list[FilterMatch]]:
    """For each post among ``items`` that the viewer's filters (or the default list) catch in ``context``:
    the matches. Used by :func:`screen_for_viewer` and by the Mastodon API, which also reports ``warn``
    matches."""
    if viewer is None or not items:
        return {}
    posts = [post_of(item) for item in items]
    return matching(viewer, [(p.id, p.author_id, screened_text(p)) for p in posts], context)


def screen_for_viewer(viewer: Account | None, items: Sequence[Item], context: str = PUBLIC) -> list[Item]:
    """``items`` (posts, cards, feed entries or reposts; in order) without those whose post the viewer has
    hidden in ``context`` by hidden words. The viewer's own posts are never hidden. A page may come back
    shorter than it went in; callers keep their cursor from the unscreened page so paging goes on."""
    found = filter_matches(viewer, items, context)
    if not found:
        return list(items)
    hidden = hidden_ids(found)
    return [item for item in items if post_of(item).id not in hidden]
