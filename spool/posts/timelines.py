"""Pages of posts: home, profile tabs, topic, what's new, and a thread. Every function reads through
``Post.objects.visible_to`` and returns ``PostCard``s built by :mod:`spool.posts.batch`, so a page costs a
fixed number of queries whatever it holds. Lists are newest first with a cursor on IDs (the repost's ID for
a repost entry); pass ``page.next_cursor`` back to get the next page.

``home_posts`` reads through the Following timeline store when :mod:`spool.timelines` is installed (it
registers its reader with ``set_home_reader``: posts sits below it and cannot import it); the read-time
query here is the fallback without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q

from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE, Page, parse_cursor
from spool.identities.access import can_see_posts_of
from spool.identities.models import Follow, Mute
from spool.posts.access import access_post
from spool.posts.batch import FeedEntry, PostCard, build_cards
from spool.posts.models import Media, Post, Repost
from spool.posts.screening import FOLLOWING, PROFILE, PUBLIC, REPLIES, screen_for_viewer
from spool.posts.services.topics import find_topic

if TYPE_CHECKING:
    from spool.identities.models import Account

PROFILE_TABS = ("threads", "replies", "reposts", "media")
MAX_ANCESTORS = 30
MAX_REPLY_DEPTH = 6
MAX_REPLIES = 150
# How many thread posts are scanned to build the reply tree (the tree shows at most MAX_REPLIES of them).
MAX_THREAD_SCAN = 1000


def _cursor(cursor: Any) -> int | None:
    return cursor if isinstance(cursor, int) and cursor > 0 else parse_cursor(cursor)


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def _page_of_posts(viewer: Account | None, qs: Any, cursor: Any, limit: int, context: str) -> Page[PostCard]:
    """A page of ``qs`` older than ``cursor``, screened for the viewer's hidden words in ``context`` (the
    cursor comes from the unscreened page, so a page with hidden posts is shorter, not the end)."""
    limit = _limit(limit)
    after = _cursor(cursor)
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs.for_cards().order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor_out = rows[-1].id if more and rows else None
    return Page(build_cards(viewer, screen_for_viewer(viewer, rows, context)), cursor_out)


def _repost_entries(viewer: Account | None, reposts: Any, cursor: int | None, limit: int) -> list[FeedEntry]:
    """Repost entries (newest first, at most ``limit``) whose post the viewer may see, posts loaded in one
    query."""
    if cursor is not None:
        reposts = reposts.filter(id__lt=cursor)
    # A correlated EXISTS, checked for the newest reposts only until the page is full; ``post_id IN
    # (visible posts)`` made SQLite apply the rule to every post first.
    visible = Post.objects.visible_to(viewer).filter(id=OuterRef("post_id"))
    rows = list(reposts.filter(Exists(visible)).select_related("account").order_by("-id")[:limit])
    posts = Post.objects.for_cards().in_bulk([r.post_id for r in rows])
    return [FeedEntry(posts[r.post_id], r.account, r.id) for r in rows if r.post_id in posts]


@dataclass(frozen=True)
class Window:
    """A Mastodon-style page request over sort IDs: older than ``max_id``, newer than ``since_id``, and
    with ``min_id`` the ``limit`` entries just newer than it (still returned newest first)."""

    limit: int = 20
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None

    def bounded(self, qs: Any) -> Any:
        if self.max_id is not None:
            qs = qs.filter(id__lt=self.max_id)
        if self.since_id is not None:
            qs = qs.filter(id__gt=self.since_id)
        if self.min_id is not None:
            qs = qs.filter(id__gt=self.min_id)
        return qs

    def ordered(self, qs: Any, count: int) -> list[Any]:
        return list(qs.order_by("id" if self.min_id is not None else "-id")[:count])


def entries_page(
    viewer: Account | None, posts_qs: Any, reposts_qs: Any | None, window: Window
) -> tuple[list[FeedEntry], bool]:
    """Posts of ``posts_qs`` (already filtered by ``visible_to``) merged with the reposts of ``reposts_qs``
    whose post the viewer may see, ordered by sort ID inside ``window``, newest first; a post reposted
    several times shows once, at its newest appearance (with ``min_id``, its oldest). Also says whether
    more entries lie beyond the page. Costs two queries (one without reposts), whatever the limit."""
    limit = _limit(window.limit)
    posts = [FeedEntry(p) for p in window.ordered(window.bounded(posts_qs).for_cards(), limit + 1)]
    reposts: list[FeedEntry] = []
    if reposts_qs is not None:
        visible = Post.objects.visible_to(viewer).filter(id=OuterRef("post_id"))
        rows = window.ordered(
            window.bounded(reposts_qs).filter(Exists(visible)).select_related("account"), limit + 1
        )
        by_id = Post.objects.for_cards().in_bulk([r.post_id for r in rows])
        reposts = [FeedEntry(by_id[r.post_id], r.account, r.id) for r in rows if r.post_id in by_id]
    merged = sorted([*posts, *reposts], key=lambda e: e.sort_id, reverse=window.min_id is None)
    more = len(posts) > limit or len(reposts) > limit
    seen: set[int] = set()
    page: list[FeedEntry] = []
    for entry in merged:
        if len(page) == limit:
            more = True
            break
        if entry.post.id in seen:
            continue
        seen.add(entry.post.id)
        page.append(entry)
    if window.min_id is not None:
        page.reverse()
    return page, more


def home_entries(viewer: Account, window: Window, *, leave_out: Any = None) -> tuple[list[FeedEntry], bool]:
    """The viewer's own top-level posts and those of accounts they follow, plus reposts by them, newest
    first; muted accounts left out (as authors and as reposters), and the accounts of the subquery
    ``leave_out`` too (members of exclusive lists). See :func:`entries_page`."""
    followed = Follow.objects.filter(follower_id=viewer.id).values("followee_id")
    sources = Q(author_id=viewer.id) | Q(author_id__in=followed)
    posts_qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).top_level().filter(sources)
    muted = Mute.objects.filter(muter_id=viewer.id).values("muted_id")
    reposts_qs = (
        Repost.objects.filter(Q(account_id=viewer.id) | Q(account_id__in=followed), account__is_active=True)
        .exclude(account_id__in=muted)
        .exclude(post__author_id__in=muted)
    )
    if leave_out is not None:
        posts_qs = posts_qs.exclude(author_id__in=leave_out)
        reposts_qs = reposts_qs.exclude(account_id__in=leave_out)
    return entries_page(viewer, posts_qs, reposts_qs, window)


_home_reader: Callable[[Account, Any, int], Page[PostCard]] | None = None


def set_home_reader(reader: Callable[[Account, Any, int], Page[PostCard]] | None) -> None:
    """Serve ``home_posts`` with ``reader(viewer, cursor, limit)`` (``None``: the read-time query)."""
    global _home_reader
    _home_reader = reader


def home_posts(viewer: Account, cursor: Any = None, limit: int = 20) -> Page[PostCard]:
    """The viewer's home as cards, ``limit`` at a time, older than ``cursor``: from the timeline store when
    one is installed (see :mod:`spool.timelines.home`), else :func:`home_entries` read at request time."""
    if _home_reader is not None:
        return _home_reader(viewer, cursor, limit)
    page, more = home_entries(viewer, Window(limit=limit, max_id=_cursor(cursor)))
    return Page(build_cards(viewer, page), page[-1].sort_id if more and page else None)


def following_posts(viewer: Account, cursor: Any = None, limit: int = 20) -> Page[PostCard]:
    """The Following feed of the web app and the native API: :func:`home_posts` screened for the viewer's
    hidden words (the Mastodon API screens its home itself, reporting ``warn`` matches too)."""
    page = home_posts(viewer, cursor, limit)
    return Page(screen_for_viewer(viewer, page.items, FOLLOWING), page.next_cursor)


def profile_posts(
    viewer: Account | None, account: Account, tab: str = "threads", cursor: Any = None, limit: int = 20
) -> Page[PostCard]:
    """One tab of ``account``'s profile as ``viewer`` sees it: ``threads`` (top-level posts), ``replies``,
    ``reposts`` or ``media`` (posts with images). Empty when the viewer may not see the account's posts
    (private and not followed, blocked, deactivated). Muted accounts' profiles still show."""
    if tab not in PROFILE_TABS:
        raise ValidationError(
            f"Unknown tab; use one of {', '.join(PROFILE_TABS)}.", code="invalid_tab", field="tab"
        )
    if tab == "reposts":
        limit = _limit(limit)
        if not can_see_posts_of(viewer, account):
            return Page([], None)
        entries = _repost_entries(
            viewer, Repost.objects.filter(account_id=account.id), _cursor(cursor), limit + 1
        )
        more = len(entries) > limit
        entries = entries[:limit]
        cursor_out = entries[-1].sort_id if more and entries else None
        return Page(build_cards(viewer, screen_for_viewer(viewer, entries, PROFILE)), cursor_out)
    qs = Post.objects.visible_to(viewer).filter(author_id=account.id)
    if tab == "threads":
        qs = qs.top_level()
    elif tab == "replies":
        qs = qs.filter(is_reply=True)
    else:
        qs = qs.filter(Exists(Media.objects.filter(post_id=OuterRef("id"))))
    return _page_of_posts(viewer, qs, cursor, limit, PROFILE)


def topic_posts(
    viewer: Account | None, topic_name: str, cursor: Any = None, limit: int = 20
) -> Page[PostCard]:
    """Posts tagged with the topic written ``topic_name`` (any case, ``#`` optional), newest first, muted
    authors left out. Empty for an unknown topic."""
    topic = find_topic(topic_name)
    if topic is None:
        return Page([], None)
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).open_reach(viewer).filter(topic_id=topic.id)
    return _page_of_posts(viewer, qs, cursor, limit, PUBLIC)


def whats_new(viewer: Account | None, cursor: Any = None, limit: int = 20) -> Page[PostCard]:
    """Top-level posts of public profiles, newest first, logged-out visitors too (:func:`public_posts`)."""
    return _page_of_posts(viewer, public_posts(viewer), cursor, limit, PUBLIC)


def public_posts(viewer: Account | None) -> Any:
    """What public timelines list (What's new, Mastodon's public timeline): top-level posts of public
    profiles the viewer may see, without muted authors nor accounts of limited servers the viewer does
    not follow."""
    return (
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .open_reach(viewer)
        .top_level()
        .filter(author__is_private=False)
    )


@dataclass
class ReplyNode:
    card: PostCard
    children: list[ReplyNode] = field(default_factory=list)
    # True when replies below this one exist but lie past the depth shown.
    more_below: bool = False

    @property
    def hidden(self) -> bool:
        return self.card.hidden


@dataclass
class Thread:
    ancestors: list[PostCard]
    post: PostCard
    replies: list[ReplyNode]
    # True when the thread holds more replies than shown (count or depth bound).
    truncated: bool = False


def thread(viewer: Account | None, post_id: Any) -> Thread:
    """A post with its thread: the visible posts above it (root first), the post, and the replies below it
    as a tree, oldest first, at most ``MAX_REPLY_DEPTH`` levels and ``MAX_REPLIES`` replies. A reply shows
    only if the viewer may see it and everything between it and the post, so a hidden branch disappears
    whole; the thread's root author sees hidden branches, marked ``hidden``. Replies caught by the viewer's
    hidden words are left out, with the branch below them. ``NotFound`` when the post is missing or not
    visible."""
    post = access_post(viewer, post_id)
    root_id = post.root_id if post.is_reply else post.id

    ancestor_ids: list[int] = []
    if post.reply_to_id and root_id:
        links = dict(
            Post.objects.filter(Q(root_id=root_id) | Q(id=root_id), id__lt=post.id).values_list(
                "id", "reply_to_id"
            )
        )
        current: int | None = post.reply_to_id
        while current is not None and current in links and len(ancestor_ids) < MAX_ANCESTORS:
            ancestor_ids.append(current)
            current = links[current]
    elif post.reply_to_id:
        ancestor_ids = [post.reply_to_id]
    ancestor_ids.reverse()
    ancestors_by_id = {
        p.id: p for p in Post.objects.visible_to(viewer).for_cards().filter(id__in=ancestor_ids)
    }
    ancestors = [ancestors_by_id[i] for i in ancestor_ids if i in ancestors_by_id]

    below = Post.objects.visible_to(viewer).for_cards()
    below = below.filter(root_id=root_id, id__gt=post.id) if root_id else below.filter(reply_to_id=post.id)
    scanned = list(below.order_by("id")[: MAX_THREAD_SCAN + 1])
    truncated = len(scanned) > MAX_THREAD_SCAN
    # Replies caught by the viewer's hidden words go, with the branch below them (as a hidden reply does).
    kept = screen_for_viewer(viewer, scanned[:MAX_THREAD_SCAN], REPLIES)
    children: dict[int, list[Post]] = {}
    for reply in kept:
        if reply.reply_to_id is not None:
            children.setdefault(reply.reply_to_id, []).append(reply)

    shown: list[Post] = []
    counter = {"left": MAX_REPLIES}

    def grow(parent_id: int, depth: int) -> list[tuple[Post, Any, bool]]:
        level: list[tuple[Post, Any, bool]] = []
        for reply in children.get(parent_id, []):
            if counter["left"] == 0:
                return level
            counter["left"] -= 1
            shown.append(reply)
            deeper = depth + 1 < MAX_REPLY_DEPTH
            level.append(
                (reply, grow(reply.id, depth + 1) if deeper else [], not deeper and reply.id in children)
            )
        return level

    tree = grow(post.id, 0)
    truncated = truncated or counter["left"] == 0
    cards = build_cards(viewer, [*ancestors, post, *shown])
    by_id = {c.id: c for c in cards}

    def nodes(level: list[tuple[Post, Any, bool]]) -> list[ReplyNode]:
        return [ReplyNode(by_id[p.id], nodes(sub), more) for p, sub, more in level]

    return Thread(
        ancestors=[by_id[a.id] for a in ancestors],
        post=by_id[post.id],
        replies=nodes(tree),
        truncated=truncated,
    )
