"""Where For You's candidates come from: a registry of sources, each one bounded query returning post IDs
(and, for engagement, who engaged). Adding a source is one decorated function::

    @candidate_source("name")
    def name(ctx: SourceContext) -> list[Hit]: ...

Per-viewer sources look back ``ctx.since`` (a snowflake ID bound, so the primary key finds the window) in an
index led by what the viewer follows or joined, and return at most ``ctx.limit`` hits. The global ones
(``trending``, ``new_voices``) read precomputed pools (:mod:`spool.feeds.for_you.pools`) instead of scanning
a window. They do not apply visibility: :mod:`spool.feeds.for_you.gather` loads every
candidate through ``Post.objects.visible_to(viewer).in_feeds_of(viewer)``, and the page reader applies it
again when it shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import Any

from django.db.models import QuerySet

from spool.communities.reads import joined_community_topics
from spool.core.compiled import Compiled, compiled, id_list
from spool.core.snowflake import id_at
from spool.feeds.for_you.models import TopicFollow
from spool.feeds.for_you.pools import NEW_VOICES_WINDOW, read_pool
from spool.feeds.for_you.trending import TrendingNow, trending_now
from spool.identities.models import Account, Follow
from spool.posts.models import Like, Post, Repost

# How far back sources look, and how many hits each may return.
WINDOW = timedelta(days=3)
PER_SOURCE = 150


@dataclass(frozen=True)
class Hit:
    """A post a source proposes; ``engager_id``/``engager_handle`` and ``kind`` ("like"/"repost") when the
    source is engagement by people the viewer follows."""

    post_id: int
    source: str
    engager_id: int | None = None
    engager_handle: str = ""
    kind: str = ""


@dataclass
class SourceContext:
    viewer: Account
    now: datetime
    limit: int = PER_SOURCE

    def since(self, window: timedelta = WINDOW) -> int:
        return id_at(self.now - window)

    @cached_property
    def topics_followed(self) -> frozenset[int]:
        """The topics the viewer follows (one query, shared with ``gather``): read first, so that a viewer
        who follows none costs no scan of the window for posts in no topic."""
        return frozenset(
            TopicFollow.objects.filter(account_id=self.viewer.id).values_list("topic_id", flat=True)
        )

    @cached_property
    def trending(self) -> TrendingNow:
        return trending_now(self.viewer, self.now)

    @cached_property
    def communities(self) -> dict[int, str]:
        """Topic ID -> name of the communities the viewer joined (one query, shared with ``gather``)."""
        return joined_community_topics(self.viewer)


Source = Callable[[SourceContext], list[Hit]]
SOURCES: dict[str, Source] = {}


def candidate_source(name: str) -> Callable[[Source], Source]:
    """Register a source under ``name`` (the name shows in ``Hit.source``)."""

    def register(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn

    return register


# The sources' queries are compiled once per process and per ``limit`` (a ``LIMIT`` is written into the SQL),
# then run with the viewer's values (:mod:`spool.core.compiled`): a ranking runs some ten of them, and
# building and compiling each queryset cost more CPU than the database spent on it.
def _followed(viewer: int) -> QuerySet[Follow, Any]:
    return Follow.objects.filter(follower_id=viewer).values("followee_id")


def _recent(viewer: int, since: int) -> QuerySet[Post]:
    return Post.objects.filter(is_reply=False, id__gte=since).exclude(author_id=viewer)


def _newest(qs: QuerySet[Post], limit: int) -> QuerySet[Any]:
    return qs.order_by("-id").values_list("id", flat=True)[:limit]


@cache
def _by_followed(limit: int) -> Compiled:
    return compiled(
        lambda viewer, since: _newest(_recent(viewer, since).filter(author_id__in=_followed(viewer)), limit),
        ints=("viewer", "since"),
    )


@cache
def _in_topics(limit: int) -> Compiled:
    return compiled(
        lambda viewer, since, topics: _newest(
            _recent(viewer, since).filter(topic_id__in=id_list(topics)), limit
        ),
        ints=("viewer", "since"),
        lists=("topics",),
    )


@cache
def _engaged(model: type[Like] | type[Repost], limit: int) -> Compiled:
    return compiled(
        lambda viewer, since: (
            model.objects.filter(account_id__in=_followed(viewer), id__gte=since)
            .exclude(post__author_id=viewer)
            .order_by("-id")
            .values_list("post_id", "account_id", "account__handle")[:limit]
        ),
        ints=("viewer", "since"),
    )


_POOL_SLICE = compiled(
    lambda viewer, since, ids: (
        Post.objects.filter(id__in=id_list(ids), id__gte=since)
        .exclude(author_id=viewer)
        .exclude(author_id__in=_followed(viewer))
        .values_list("id", flat=True)
    ),
    ints=("viewer", "since"),
    lists=("ids",),
)


def _hits(rows: list[tuple[Any, ...]], source: str) -> list[Hit]:
    return [Hit(row[0], source) for row in rows]


@candidate_source("followed_accounts")
def followed_accounts(ctx: SourceContext) -> list[Hit]:
    """Recent top-level posts by accounts the viewer follows."""
    rows = _by_followed(ctx.limit).run(viewer=ctx.viewer.id, since=ctx.since())
    return _hits(rows, "followed_accounts")


@candidate_source("followed_topics")
def followed_topics(ctx: SourceContext) -> list[Hit]:
    """Recent top-level posts in topics the viewer follows; no query when they follow none."""
    if not ctx.topics_followed:
        return []
    rows = _in_topics(ctx.limit).run(viewer=ctx.viewer.id, since=ctx.since(), topics=ctx.topics_followed)
    return _hits(rows, "followed_topics")


def _from_pool(ctx: SourceContext, pool: str, window: timedelta) -> list[int]:
    """A pool's IDs without the viewer's own posts and those of accounts they follow, in pool order, at most
    ``ctx.limit``: primary-key queries over slices of ``2 x ctx.limit`` IDs, until enough are kept (one
    query, usually, rather than one over the whole pool). The pool is read likewise: its first slice, and
    the rest only when that slice did not keep enough (if the job replaced the pool in between, an ID
    already kept is not proposed twice)."""
    step = 2 * ctx.limit
    ids = read_pool(pool, ctx.now, step)
    found: dict[int, None] = {}
    start = 0
    while len(found) < ctx.limit:
        if start == step and len(ids) == step:
            ids = read_pool(pool, ctx.now)
        chunk = ids[start : start + step]
        if not chunk:
            break
        kept = {row[0] for row in _POOL_SLICE.run(viewer=ctx.viewer.id, since=ctx.since(window), ids=chunk)}
        found.update((i, None) for i in chunk if i in kept)
        start += step
    return list(found)[: ctx.limit]


@candidate_source("trending")
def trending(ctx: SourceContext) -> list[Hit]:
    """Trending posts, and the newest posts in trending topics (both from pools)."""
    hits = [Hit(i, "trending") for i in ctx.trending.post_ids]
    if ctx.trending.topic_ids:
        hits += [Hit(i, "trending") for i in read_pool("trending_topics", ctx.now, ctx.limit)]
    return hits


@candidate_source("communities")
def communities(ctx: SourceContext) -> list[Hit]:
    """Recent top-level posts in the communities the viewer joined (a community's feed is its topic's
    posts), newest first; no query when the viewer joined none."""
    if not ctx.communities:
        return []
    rows = _in_topics(ctx.limit).run(viewer=ctx.viewer.id, since=ctx.since(), topics=list(ctx.communities))
    return _hits(rows, "communities")


@candidate_source("engaged_by_followed")
def engaged_by_followed(ctx: SourceContext) -> list[Hit]:
    """Posts people the viewer follows liked or reposted lately (two queries: likes, reposts)."""
    hits: list[Hit] = []
    for model, kind in ((Like, "like"), (Repost, "repost")):
        rows = _engaged(model, ctx.limit).run(viewer=ctx.viewer.id, since=ctx.since())
        hits += [Hit(post_id, "engaged_by_followed", who, handle, kind) for post_id, who, handle in rows]
    return hits


@candidate_source("new_voices")
def new_voices(ctx: SourceContext) -> list[Hit]:
    """Fresh posts of public accounts the viewer does not follow that people already engage with, most
    engaged first (the ``new_voices`` pool)."""
    return [Hit(i, "new_voices") for i in _from_pool(ctx, "new_voices", NEW_VOICES_WINDOW)]


def collect(ctx: SourceContext) -> list[Hit]:
    """Every registered source's hits, in registry order."""
    hits: list[Hit] = []
    for source in SOURCES.values():
        hits += source(ctx)
    return hits
