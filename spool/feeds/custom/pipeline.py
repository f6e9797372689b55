"""The one feed pipeline every unranked feed goes through:

1. **select** — :mod:`spool.feeds.custom.selection`: one bounded query picks the page's posts, already
   through ``Post.objects.visible_to(viewer)`` (deactivated authors, blocks either way, private profiles,
   hidden replies …) and ``in_feeds_of(viewer)`` (mutes), loaded with what cards join (author, topic, link
   card); Liked and Saved take two queries;
2. **hidden words** — the viewer's ``hide`` filters and Spool's default list drop matching posts (one query
   when the viewer has no filters, three at most);
3. **cards** — :func:`spool.posts.batch.build_cards`, a fixed number of queries whatever the page holds.

A page therefore costs a constant number of queries whatever ``limit`` is (pinned in
``tests/feeds/test_custom_queries.py``). A page shortened by hidden words keeps its cursor, so the next page
starts where the selection stopped: nothing is repeated or skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spool.core.errors import NotFound
from spool.feeds.custom.access import access_feed
from spool.feeds.custom.models import CustomFeed
from spool.feeds.custom.selection import Selection, Spec, fediverse, interaction_page, select, topic_spec
from spool.feeds.custom.validation import check_mode
from spool.identities.models import Account
from spool.posts.batch import PostCard, build_cards
from spool.posts.models import Like, Save
from spool.posts.screening import screen_for_viewer
from spool.posts.services.topics import find_topic

# Hidden-word context of each feed kind (Mastodon's filter contexts): topic feeds are public timelines.
HOME, PUBLIC = "home", "public"


@dataclass
class FeedPage:
    """Cards of one page and the cursor of the next (``None`` at the end). The cursor is text: Top's holds
    more than an ID."""

    items: list[PostCard]
    next_cursor: str | None


def finish(viewer: Account | None, selection: Selection, context: str = HOME) -> FeedPage:
    """Steps 2 and 3: leave out what the viewer's hidden words hide, then build the cards."""
    entries = screen_for_viewer(viewer, selection.entries, context)
    return FeedPage(build_cards(viewer, entries), selection.next_cursor)


def custom_feed_page(
    viewer: Account | None, feed: CustomFeed, cursor: Any = None, limit: int = 20, *, mode: str | None = None
) -> FeedPage:
    """A page of a feed the viewer may read (see :func:`~spool.feeds.custom.access.access_feed`), as the
    viewer sees it — a shared feed never shows its reader more than they may see elsewhere. ``mode``
    (``top`` | ``recent``) overrides the feed's own order."""
    return finish(viewer, select(viewer, Spec.of(feed, check_mode(mode) if mode else None), cursor, limit))


def read_feed(viewer: Account | None, feed_id: Any, cursor: Any = None, limit: int = 20) -> FeedPage:
    """:func:`custom_feed_page` by ID; ``NotFound`` when missing or not readable."""
    return custom_feed_page(viewer, access_feed(viewer, feed_id), cursor, limit)


def topic_feed_page(
    viewer: Account | None, topic_name: str, mode: str = "recent", cursor: Any = None, limit: int = 20
) -> FeedPage:
    """A topic's posts and replies, ``top`` or ``recent``; ``NotFound`` for an unknown topic."""
    topic = find_topic(topic_name)
    if topic is None:
        raise NotFound()
    return finish(viewer, select(viewer, topic_spec(topic, mode), cursor, limit), PUBLIC)


def liked_page(viewer: Account, cursor: Any = None, limit: int = 20) -> FeedPage:
    """Posts the viewer liked and may still see, newest like first."""
    return finish(viewer, interaction_page(viewer, Like, cursor, limit))


def saved_page(viewer: Account, cursor: Any = None, limit: int = 20) -> FeedPage:
    """Posts the viewer saved and may still see, newest save first."""
    return finish(viewer, interaction_page(viewer, Save, cursor, limit))


def fediverse_page(viewer: Account, cursor: Any = None, limit: int = 20) -> FeedPage:
    """Posts by remote accounts the viewer follows, newest first (empty until federation)."""
    return finish(viewer, fediverse(viewer, cursor, limit))
