"""Reading For You, through the same pipeline as Following: select IDs → load the posts in one query →
visibility (``visible_to``, mutes, the viewer's "show less"/"not interested", hidden words) → batched cards.

**Selecting IDs.** Ranking is the expensive step (candidate sources, features, scores, diversity), so it runs
once per *session*: the ranked list of IDs (with each item's explanation) is cached per viewer
(``SESSION_KEEP``), and a fresh first page within ``SESSION_WINDOW`` of the last ranking reuses it. The
cursor is ``<session>.<position>``: the next page continues the same list from the position after the last
item shown, so paging never repeats or skips, whatever is posted meanwhile. Steering (feedback, Dear Algo,
following a topic) ends the current window, so the next first page is ranked afresh with it; pages of an
older session keep their order but leave out what was steered away at once (visibility is applied when a
page is read, not when it was ranked). A cursor whose session expired starts a new ranking from the top.
"""

from __future__ import annotations

import re
import secrets
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from spool.core.compiled import ids_in
from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE
from spool.feeds.for_you.candidates import SourceContext, collect
from spool.feeds.for_you.diversity import diversify
from spool.feeds.for_you.explain import Explanation, Reason, explain
from spool.feeds.for_you.gather import gather, hidden_by_feedback
from spool.feeds.for_you.scoring import rank
from spool.identities.models import Account
from spool.posts.batch import FeedEntry, PostCard, build_cards
from spool.posts.models import Post
from spool.posts.screening import FOLLOWING, filter_matches

SESSION_WINDOW = timedelta(minutes=5)
SESSION_KEEP = timedelta(minutes=30)
POOL = 300  # ranked items kept per session (15 pages of 20)
MAX_ROUNDS = 3
_CURSOR = re.compile(r"^([0-9a-f]{12})\.(\d{1,4})$")


@dataclass(frozen=True)
class ForYouItem:
    card: PostCard
    explanation: Explanation

    @property
    def id(self) -> int:
        return self.card.id


@dataclass(frozen=True)
class ForYouPage:
    items: list[ForYouItem]
    next_cursor: str | None


# A ranked item as cached: (post ID, ((reason code, reason text), ...)).
Ranked = tuple[int, tuple[tuple[str, str], ...]]


def rank_for_you(viewer: Account, now: datetime | None = None) -> list[Ranked]:
    """Candidates from every source → features → scores → diversity caps, best first (at most ``POOL``)."""
    ctx = SourceContext(viewer, now or timezone.now())
    scored = rank(gather(ctx, collect(ctx)))
    diverse = diversify(
        scored, author_of=lambda p: p[0].author_id, topic_of=lambda p: p[0].topic_id, limit=POOL
    )
    return [(f.post_id, tuple((r.code, r.text) for r in explain(f, s.reasons).reasons)) for f, s in diverse]


def _current_key(viewer_id: int) -> str:
    return f"foryou:cur:{viewer_id}"


def _session_key(viewer_id: int, session: str) -> str:
    return f"foryou:s:{viewer_id}:{session}"


def _pack(ranked: list[Ranked]) -> bytes:
    """A session's ranking as compressed JSON: explanations repeat a few phrases, so 300 items take a few
    kilobytes in the cache rather than a hundred."""
    return zlib.compress(orjson.dumps(ranked), 6)


def _load(viewer_id: int, session: str) -> list[Ranked] | None:
    packed = cache.get(_session_key(viewer_id, session))
    if packed is None:
        return None
    return [
        (post_id, tuple((c, t) for c, t in reasons))
        for post_id, reasons in orjson.loads(zlib.decompress(packed))
    ]


def forget_ranking(viewer_id: int) -> None:
    """End the viewer's session window: their next first page is ranked afresh."""
    cache.delete(_current_key(viewer_id))


def forget_after_commit(viewer_id: int) -> None:
    """For writes that steer: end the window now (the same request's next read sees the change, even before
    the commit) and again after commit (dropping a ranking another request made meanwhile without it)."""
    forget_ranking(viewer_id)
    transaction.on_commit(lambda: forget_ranking(viewer_id))


def _start(viewer: Account) -> tuple[str, list[Ranked]]:
    session = cache.get(_current_key(viewer.id))
    if session:
        ranked = _load(viewer.id, session)
        if ranked is not None:
            return session, ranked
    session = secrets.token_hex(6)
    ranked = rank_for_you(viewer)
    cache.set(_session_key(viewer.id, session), _pack(ranked), int(SESSION_KEEP.total_seconds()))
    cache.set(_current_key(viewer.id), session, int(SESSION_WINDOW.total_seconds()))
    return session, ranked


def parse_cursor(cursor: Any) -> tuple[str, int] | None:
    if cursor in (None, ""):
        return None
    found = _CURSOR.match(cursor) if isinstance(cursor, str) else None
    if found is None:
        raise ValidationError("cursor is not a For You cursor", code="invalid_cursor", field="cursor")
    return found[1], int(found[2])


def _resolve(viewer: Account, chunk: list[tuple[int, Ranked]]) -> list[tuple[int, Post, Explanation]]:
    """The chunk's posts the viewer may see now, in ranked order (two queries; more with hidden words)."""
    posts = (
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .full_reach(viewer)
        .exclude(hidden_by_feedback(viewer))
        .filter(id__in=ids_in([item[0] for _, item in chunk]))
        .for_cards()
        .in_bulk()
    )
    caught = filter_matches(viewer, list(posts.values()), FOLLOWING)  # warn matches too: see the docs
    shown = []
    for position, (post_id, reasons) in chunk:
        post = posts.get(post_id)
        if post is not None and post_id not in caught:
            shown.append((position, post, Explanation(tuple(Reason(c, t) for c, t in reasons))))
    return shown


def for_you_page(viewer: Account, cursor: Any = None, limit: int = 20) -> ForYouPage:
    """A page of For You: ``limit`` items after ``cursor`` (``None``: the top of the current session)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    parsed = parse_cursor(cursor)
    ranked = _load(viewer.id, parsed[0]) if parsed else None
    if parsed and ranked is not None:
        session, position = parsed[0], parsed[1]
    else:
        (session, ranked), position = _start(viewer), 0
    shown: list[tuple[int, Post, Explanation]] = []
    for attempt in range(MAX_ROUNDS):
        want = limit + 1 + limit // 4 if attempt == 0 else (limit + 1 - len(shown)) * 2
        chunk = list(enumerate(ranked[position : position + want], start=position))
        if not chunk:
            break
        shown += _resolve(viewer, chunk)
        position += len(chunk)
        if len(shown) > limit:
            break
    page = shown[:limit]
    if len(shown) > limit:
        next_position: int | None = page[-1][0] + 1
    else:
        next_position = position if position < len(ranked) else None
    cards = build_cards(viewer, [FeedEntry(post) for _, post, _ in page])
    items = [ForYouItem(card, why) for card, (_, _, why) in zip(cards, page, strict=True)]
    return ForYouPage(items, f"{session}.{next_position}" if next_position is not None else None)
