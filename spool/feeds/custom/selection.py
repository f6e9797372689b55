"""The first step of the feed pipeline for the unranked feeds: which posts a page holds, in order, with the
cursor of the next page. Each feed is one bounded query through ``Post.objects.visible_to(viewer)`` (plus
``in_feeds_of`` for mutes) that also loads the posts for cards; Liked and Saved are two (the interaction
rows, then their posts).

Orderings and cursors (every cursor is opaque text to callers; a bad one is ``invalid_cursor``):

- **Recent** (custom feeds, topic feeds, fediverse): newest first by post ID; cursor = the last post's ID.
- **Top** (custom and topic feeds): the posts of the ``TOP_WINDOW`` before the first page was asked for,
  by engagement score, then newest first; cursor = ``bound.score.id`` where ``bound`` is the newest ID the
  first page could include. New posts are above ``bound`` and never enter a paging session, so pages do
  not repeat or skip when posts arrive; a post whose score changes between two page loads may move across
  the cursor (the price of ranking by live counters without storing a snapshot).
- **Liked / Saved**: newest like or save first; cursor = the like's or save's ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE, page_before, parse_cursor
from spool.core.snowflake import id_at, time_of
from spool.feeds.custom.models import CustomFeed, FeedMode
from spool.identities.models import Account, Follow
from spool.identities.servers import limited_for
from spool.posts.batch import FeedEntry
from spool.posts.models import Like, Post, Save, Topic
from spool.posts.services.validation import normalise_topic
from spool.posts.timelines import Window

# Keyword matching scans post text, so it looks back this far only (found through the time-ordered key).
KEYWORD_WINDOW = timedelta(days=90)
# Top ranks the posts of this period before the first page.
TOP_WINDOW = timedelta(days=30)
# Engagement weights of the Top score: a reply, repost or quote says more than a like.
LIKE_WEIGHT, REPLY_WEIGHT, REPOST_WEIGHT, QUOTE_WEIGHT = 1, 2, 3, 3


@dataclass(frozen=True)
class Spec:
    """What a feed selects: any post with one of ``topics``, by one of ``profiles`` or holding one of
    ``keywords``; top-level posts only unless ``replies``."""

    topics: tuple[str, ...] = ()
    profiles: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    mode: str = FeedMode.RECENT
    replies: bool = False

    @classmethod
    def of(cls, feed: CustomFeed, mode: str | None = None) -> Spec:
        return cls(tuple(feed.topics), tuple(feed.profiles), tuple(feed.keywords), mode or feed.mode)


@dataclass
class Selection:
    entries: list[FeedEntry]
    next_cursor: str | None


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def matching(viewer: Account | None, spec: Spec) -> Any:
    """The posts ``spec`` selects that ``viewer`` may see in a feed (mutes left out), as one queryset.
    Topics and profiles use the ``(topic, id)`` and ``(author, id)`` indexes; keywords only look back
    ``KEYWORD_WINDOW``."""
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer)
    if not spec.replies:
        qs = qs.top_level()
    sources = Q(pk__in=[])
    if spec.topics:
        keys = [normalise_topic(t) for t in spec.topics]
        sources |= Q(topic_id__in=Topic.objects.filter(name__in=keys).values("id"))
    if spec.keywords:
        words = Q(pk__in=[])
        for keyword in spec.keywords:
            words |= Q(text__icontains=keyword)
        sources |= Q(id__gte=id_at(timezone.now() - KEYWORD_WINDOW)) & words
    # Topics and keywords reach the whole network, so limited servers stay out there (as in every public
    # surface); a profile the reader picked by name is shown as its profile page would be.
    sources &= ~limited_for(viewer.id if viewer is not None else None)
    if spec.profiles:
        sources |= Q(author_id__in=list(spec.profiles))
    return qs.filter(sources)


def recent(qs: Any, cursor: Any, limit: int) -> Selection:
    """Newest first by post ID, ``limit`` below ``cursor``: one query."""
    page = page_before(qs.for_cards(), parse_cursor(cursor), _limit(limit))
    cursor_text = str(page.next_cursor) if page.next_cursor is not None else None
    return Selection([FeedEntry(p) for p in page.items], cursor_text)


def _top_cursor(cursor: Any) -> tuple[int, int, int] | None:
    """``bound.score.id``, each a number of at most 18 digits (within 64 bits and a datetime's range)."""
    if cursor in (None, ""):
        return None
    parts = str(cursor).split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor")
    bound, score, last = (int(p) for p in parts)
    return bound, score, last


def top(qs: Any, cursor: Any, limit: int) -> Selection:
    """The ``TOP_WINDOW`` up to the first page's bound, highest score first (ties newest first): one
    query."""
    limit = _limit(limit)
    position = _top_cursor(cursor)
    # Everything made before this millisecond: a post made in it would be seen by some pages only.
    bound = position[0] if position else id_at(timezone.now()) - 1
    score = (
        F("likes_count") * LIKE_WEIGHT
        + F("replies_count") * REPLY_WEIGHT
        + F("reposts_count") * REPOST_WEIGHT
        + F("quotes_count") * QUOTE_WEIGHT
    )
    qs = qs.filter(id__lte=bound, id__gte=id_at(time_of(bound) - TOP_WINDOW)).annotate(score=score)
    if position is not None:
        qs = qs.filter(Q(score__lt=position[1]) | Q(score=position[1], id__lt=position[2]))
    rows = list(qs.for_cards().order_by("-score", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = f"{bound}.{rows[-1].score}.{rows[-1].id}" if more and rows else None
    return Selection([FeedEntry(p) for p in rows], next_cursor)


def select(viewer: Account | None, spec: Spec, cursor: Any, limit: int) -> Selection:
    """A page of ``spec``'s posts in its mode."""
    qs = matching(viewer, spec)
    return top(qs, cursor, limit) if spec.mode == FeedMode.TOP else recent(qs, cursor, limit)


def topic_spec(topic: Topic, mode: str) -> Spec:
    """A topic feed: posts and replies with the topic."""
    if mode not in FeedMode.values:
        raise ValidationError("The tab is either top or recent.", code="invalid_mode", field="mode")
    return Spec(topics=(topic.display,), mode=mode, replies=True)


def fediverse(viewer: Account, cursor: Any, limit: int) -> Selection:
    """Top-level posts by remote accounts (``domain`` set) the viewer follows, newest first. Empty until
    federation brings remote accounts."""
    remote = Follow.objects.filter(follower_id=viewer.id).exclude(followee__domain="").values("followee_id")
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).top_level().filter(author_id__in=remote)
    return recent(qs, cursor, limit)


def interactions(
    viewer: Account, model: type[Like] | type[Save], window: Window
) -> tuple[list[tuple[int, Post]], bool]:
    """The viewer's likes or saves inside ``window`` whose post they may still see, as ``(like or save ID,
    post)`` newest first, and whether more lie beyond. Two queries. Shared by the Liked and Saved feeds and
    Mastodon's favourites and bookmarks."""
    limit = _limit(window.limit)
    visible = Post.objects.visible_to(viewer).filter(id=OuterRef("post_id"))
    mine = model.objects.filter(account_id=viewer.id).filter(Exists(visible))
    rows = window.ordered(window.bounded(mine), limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if window.min_id is not None:
        rows.reverse()
    posts = Post.objects.for_cards().in_bulk([r.post_id for r in rows])
    return [(r.id, posts[r.post_id]) for r in rows if r.post_id in posts], more


def interaction_page(viewer: Account, model: type[Like] | type[Save], cursor: Any, limit: int) -> Selection:
    """A page of the Liked (``Like``) or Saved (``Save``) feed; the cursor is the last like's or save's ID."""
    found, more = interactions(viewer, model, Window(limit=limit, max_id=parse_cursor(cursor)))
    return Selection([FeedEntry(post) for _, post in found], str(found[-1][0]) if more and found else None)
