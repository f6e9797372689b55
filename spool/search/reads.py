"""Searching posts: keyword search (Top and Recent) and tag mode, with a media filter, for one viewer.

How a search runs, in a bounded number of queries whatever the size of the index:

1. the index (or, in tag mode, the topic's posts) gives *candidates*: the newest matches, with their text
   relevance (one query);
2. ``Post.objects.visible_to(viewer).in_feeds_of(viewer)`` keeps the candidates the viewer may see —
   blocks either way, private profiles, deactivated authors, hidden replies, archived ghost posts, muted
   authors — and applies the media filter and an author filter (one query);
3. the page is screened for the viewer's hidden words (:func:`spool.posts.screening.screen_for_viewer`).

**Recent** is newest first with the last post's ID as the cursor; it reads up to ``RECENT_ROUNDS`` batches
of candidates to fill a page, and when those run out first it returns a shorter page with a cursor to go on.
**Top** ranks the ``TOP_WINDOW`` newest matches by relevance * engagement * recency
(:mod:`spool.search.ranking`); its cursor pins that window (the newest candidate's ID) and an offset into
the ranking, so later pages rank the same posts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from spool.core import ratelimit
from spool.core.compiled import compiled, id_list, ids_param, native_sql
from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE
from spool.core.snowflake import SPOOL_EPOCH_MS, TIMESTAMP_SHIFT
from spool.posts.batch import PostCard, build_cards
from spool.posts.models import Media, Post, Topic
from spool.posts.querysets import PostQuerySet
from spool.posts.screening import PUBLIC, screen_for_viewer
from spool.posts.services.topics import find_topic
from spool.search.backends import get_backend
from spool.search.query import clean_query, parse_query, tag_of
from spool.search.ranking import Candidate, first_eligible

if TYPE_CHECKING:
    from spool.identities.models import Account

T = TypeVar("T")
TABS = ("top", "recent")
MEDIA_FILTERS = ("images", "video", "none")
TOP_WINDOW = 500
RECENT_BATCH = 100
RECENT_ROUNDS = 4
# Compiled eligibility queries kept per process (one per recent viewer and filter combination).
ELIGIBLE_CACHE_SIZE = 512
# Logged-out visitors may search posts (public posts only, as Threads allows); per network address.
ANONYMOUS_SEARCHES = ratelimit.Limit("anonymous_searches", 30, timedelta(minutes=1))

# (before, upto, limit) -> [(post_id, relevance)], newest first.
Source = Callable[[int | None, int | None, int], list[tuple[int, float]]]


@dataclass
class SearchPage(Generic[T]):
    """One page of results. ``next_cursor`` is opaque (pass it back as is); ``topic`` is set in tag mode."""

    items: list[T]
    next_cursor: str | None
    topic: Topic | None = None


@dataclass(frozen=True)
class _Filters:
    media: str | None = None
    author_id: int | None = None


def count_anonymous_search(address: str) -> None:
    """Count one post search by a logged-out visitor from ``address``; ``RateLimited`` past the limit."""
    ratelimit.hit(ANONYMOUS_SEARCHES, address or "unknown")


def check_tab(tab: object) -> str:
    if tab not in TABS:
        raise ValidationError(f"tab must be one of {', '.join(TABS)}.", code="invalid_tab", field="tab")
    return str(tab)


def check_media(media: object) -> str | None:
    if media in (None, "", "any"):
        return None
    if media not in MEDIA_FILTERS:
        raise ValidationError(
            f"media must be one of any, {', '.join(MEDIA_FILTERS)}.", code="invalid_media", field="media"
        )
    return str(media)


def _bad_cursor() -> ValidationError:
    return ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor")


def _top_cursor(cursor: str | None) -> tuple[int | None, int]:
    """``"<anchor>.<offset>"`` → (anchor, offset); no cursor → the first page of a new window."""
    if not cursor:
        return None, 0
    anchor, _, offset = cursor.partition(".")
    if not (anchor.isdigit() and offset.isdigit()) or int(offset) >= TOP_WINDOW or int(anchor) <= 0:
        raise _bad_cursor()
    return int(anchor), int(offset)


def _recent_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit() or int(cursor) <= 0:
        raise _bad_cursor()
    return int(cursor)


def _keyword_source(q: str, *, relevance: bool) -> Source:
    parsed = parse_query(q)
    backend = get_backend()

    def source(before: int | None, upto: int | None, limit: int) -> list[tuple[int, float]]:
        return backend.newest_matches(parsed, before=before, upto=upto, limit=limit, relevance=relevance)

    return source


def _topic_source(topic: Topic) -> Source:
    def source(before: int | None, upto: int | None, limit: int) -> list[tuple[int, float]]:
        qs = Post.objects.filter(topic_id=topic.id)
        if before is not None:
            qs = qs.filter(id__lt=before)
        if upto is not None:
            qs = qs.filter(id__lte=upto)
        return [(post_id, 1.0) for post_id in qs.order_by("-id").values_list("id", flat=True)[:limit]]

    return source


def _eligible(viewer: Account | None, filters: _Filters) -> PostQuerySet:
    """The posts the viewer may see in a feed, with the filters applied (the candidates are added by the
    backend: :meth:`~spool.search.backends.SearchBackend.among_candidates`)."""
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).full_reach(viewer)
    if filters.author_id is not None:
        qs = qs.filter(author_id=filters.author_id)
    if filters.media == "none":
        qs = qs.exclude(Exists(Media.objects.filter(post_id=OuterRef("id"))))
    elif filters.media is not None:
        prefix = "image/" if filters.media == "images" else "video/"
        qs = qs.filter(Exists(Media.objects.filter(post_id=OuterRef("id"), content_type__startswith=prefix)))
    return qs


@lru_cache(maxsize=ELIGIBLE_CACHE_SIZE)
def _eligible_sql(
    vendor: str, viewer_id: int | None, filters: _Filters, columns: tuple[str, ...]
) -> tuple[str, tuple[Any, ...], int, bool]:
    """:func:`_eligible` among the candidates, compiled once per viewer, filters and process: (SQL newest
    first, its parameters, the index of the candidate IDs' parameter, whether it runs on a native cursor).
    Compiling the visibility rule through the ORM costs several milliseconds of Python per search, the query
    itself far less; on PostgreSQL the statement is also prepared by the server (see
    :mod:`spool.core.compiled`), so the rule is planned once per connection, not once per search. Safe to
    keep, for the same reason as ``posts.querysets._visible_base``: the rule holds only the viewer's ID, and
    follows, blocks, mutes and limited servers are subqueries read whenever the SQL runs."""
    from spool.identities.models import Account

    viewer = Account(pk=viewer_id) if viewer_id is not None else None  # only its ID is read
    sql, params, at = get_backend().among_candidates(
        _eligible(viewer, filters).order_by().values_list(*columns)
    )
    if hasattr(connection, "native_cursor"):
        return native_sql(connection, sql, params, at), (None,), 0, True
    return sql, params, at, False


def _eligible_rows(
    viewer: Account | None, ids: list[int], filters: _Filters, columns: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """``columns`` of the posts among ``ids`` the viewer may see in a feed (filters applied), newest first:
    :func:`_eligible` run from its compiled SQL with these IDs."""
    if not ids:
        return []
    sql, params, at, native = _eligible_sql(
        connection.vendor, viewer.id if viewer is not None else None, filters, columns
    )
    bound: list[Any] = list(params)
    bound[at] = ids_param(ids)
    with connection.native_cursor() if native else connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, bound)
        return cursor.fetchall()


def _age_hours(post_id: int, now_ms: float) -> float:
    """Hours since the post was written, read from its snowflake ID (no datetime per candidate)."""
    return (now_ms - ((post_id >> TIMESTAMP_SHIFT) + SPOOL_EPOCH_MS)) / 3_600_000


_ENGAGEMENT = compiled(
    lambda ids: Post.objects.filter(id__in=id_list(ids)).values_list(
        "id", "likes_count", "reposts_count", "replies_count", "quotes_count"
    ),
    lists=("ids",),
)


def _top(
    viewer: Account | None, source: Source, filters: _Filters, cursor: str | None, offset: int, limit: int
) -> tuple[list[Post], str | None]:
    anchor, offset = _top_cursor(cursor) if cursor else (None, offset)
    candidates = source(None, anchor, TOP_WINDOW)
    if not candidates:
        return [], None
    anchor = anchor or candidates[0][0]
    relevance = dict(candidates)
    now_ms = timezone.now().timestamp() * 1000
    pool = [
        Candidate(post_id, relevance[post_id], likes, reposts, replies, quotes, _age_hours(post_id, now_ms))
        for post_id, likes, reposts, replies, quotes in _ENGAGEMENT.run(ids=list(relevance))
    ]

    def eligible(ids: list[int]) -> set[int]:
        return {row[0] for row in _eligible_rows(viewer, ids, filters, ("id",))}

    ranked = first_eligible(pool, eligible, offset + limit + 1)
    more = len(ranked) > offset + limit
    return _for_cards([c.post_id for c in ranked[offset : offset + limit]]), (
        f"{anchor}.{offset + limit}" if more else None
    )


def _recent(
    viewer: Account | None, source: Source, filters: _Filters, cursor: str | None, limit: int
) -> tuple[list[Post], str | None]:
    before = _recent_cursor(cursor)
    # The first round asks for little more than a page: most candidates are eligible, and on PostgreSQL a
    # phrase's newest matches are found by walking the index newest first and checking word positions row
    # by row (the GIN index cannot), so the walk is proportional to the candidates asked for.
    batch = limit + limit // 4 + 4
    found: list[int] = []
    exhausted = False
    for _ in range(RECENT_ROUNDS):
        candidates = source(before, None, batch)
        if candidates:
            ids = [post_id for post_id, _ in candidates]
            found += [
                row[0] for row in _eligible_rows(viewer, ids, filters, ("id",))[: limit + 1 - len(found)]
            ]
            before = ids[-1]
        if len(found) > limit:
            return _for_cards(found[:limit]), str(found[limit - 1])
        if len(candidates) < batch:
            exhausted = True
            break
        batch = max(RECENT_BATCH, 4 * limit)
    # Rounds used up before the page filled: a shorter page, and the cursor goes on from the last candidate.
    return _for_cards(found), None if exhausted or before is None else str(before)


_CARD_POSTS = compiled(lambda ids: Post.objects.for_cards().filter(id__in=id_list(ids)), lists=("ids",))


def _for_cards(ids: list[int]) -> list[Post]:
    """The posts ``ids``, in that order, loaded for cards (one compiled query for the whole page)."""
    if not ids:
        return []
    loaded = {post.id: post for post in cast(list[Post], _CARD_POSTS.models(ids=ids))}
    return [loaded[i] for i in ids if i in loaded]


def find_posts(
    viewer: Account | None,
    q: object,
    *,
    tab: object = "top",
    media: object = None,
    cursor: str | None = None,
    limit: int = 20,
    offset: int = 0,
    author_id: int | None = None,
    screen: bool = True,
) -> SearchPage[Post]:
    """Posts for the query ``q`` as ``viewer`` (``None``: logged out, public posts only) may see them.

    ``#name`` alone is tag mode: the posts of that topic (an unknown topic finds nothing). Otherwise words,
    ``"phrases"``, ``or`` and ``-word`` (see :mod:`spool.search.query`). ``tab``: ``top`` or ``recent``;
    ``media``: ``images``, ``video``, ``none`` or ``None`` (any); ``author_id``: one author's posts only;
    ``offset`` (Top only, without a cursor) starts further down the ranking. ``screen=False`` leaves hidden
    words to the caller (the Mastodon API, which reports ``warn`` matches). Raises ``ValidationError`` for
    a blank or oversize query, an unknown tab or media filter, or a malformed cursor."""
    q = clean_query(q)
    tab = check_tab(tab)
    filters = _Filters(check_media(media), author_id)
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, min(int(offset), TOP_WINDOW))
    tag = tag_of(q)
    topic = find_topic(tag) if tag else None
    if tag and topic is None:
        return SearchPage([], None)
    # Recent orders by ID alone: no relevance computed.
    source = _topic_source(topic) if topic else _keyword_source(q, relevance=tab == "top")
    if tab == "top":
        posts, next_cursor = _top(viewer, source, filters, cursor, offset, limit)
    else:
        posts, next_cursor = _recent(viewer, source, filters, cursor, limit)
    if screen:
        posts = screen_for_viewer(viewer, posts, PUBLIC)
    return SearchPage(posts, next_cursor, topic)


def search_posts(viewer: Account | None, q: object, **options: object) -> SearchPage[PostCard]:
    """:func:`find_posts` as cards (the web app and the native API)."""
    page = find_posts(viewer, q, **options)  # type: ignore[arg-type]
    return SearchPage(build_cards(viewer, page.items), page.next_cursor, page.topic)
