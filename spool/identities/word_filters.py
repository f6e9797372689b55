"""Reading hidden words: which of a page of posts a person's filters (and Spool's default list) catch.

``matching(viewer, items, context)`` answers for a whole page at once, in at most three queries (the
viewer's live filters, their keywords, their single posts; one when they have none), then matches in
Python with one compiled pattern per filter. The Mastodon API uses it both to drop posts caught by a
``hide`` filter and to attach ``filtered`` results to the rest.

Semantics follow Mastodon's filter guidelines: case-insensitive; a ``whole_word`` keyword must start and end
at a word boundary where it starts or ends with a letter or digit; a filter applies only in its contexts and
until ``expires_at``; nobody's filters apply to their own posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db.models import prefetch_related_objects
from django.utils import timezone

from spool.core.compiled import compiled
from spool.identities.models import Account, FilterAction, WordFilter
from spool.identities.offensive_words import DEFAULT_OFFENSIVE_WORDS

CONTEXTS = ("home", "notifications", "public", "thread", "account")
# The default list shows up in ``filtered`` results as this pseudo-filter (it cannot be edited through the
# filters API; ``Account.hide_offensive_words`` switches it off).
DEFAULT_LIST_ID = "spool-offensive-words"
DEFAULT_LIST_TITLE = "Offensive words (Spool's default list)"


@dataclass(frozen=True)
class FilterMatch:
    """A filter that caught a post: the filter's fields and what matched (keywords and/or the post itself)."""

    filter_id: str
    title: str
    context: tuple[str, ...]
    action: str
    expires_at: datetime | None
    keywords: tuple[str, ...] = ()
    post_ids: tuple[str, ...] = ()

    @property
    def hides(self) -> bool:
        return self.action == FilterAction.HIDE


@dataclass(frozen=True)
class _Live:
    filter: WordFilter
    keywords: tuple[tuple[str, bool], ...]
    post_ids: frozenset[int]


def _keyword_regex(keyword: str, whole_word: bool) -> str:
    body = re.escape(keyword)
    if not whole_word:
        return body
    start = r"\b" if re.match(r"\w", keyword[:1]) else ""
    end = r"\b" if re.match(r"\w", keyword[-1:]) else ""
    return f"{start}{body}{end}"


@lru_cache(maxsize=4096)
def _pattern(keywords: tuple[tuple[str, bool], ...]) -> re.Pattern[str] | None:
    """One pattern matching any of ``keywords`` (cached: a person's filters rarely change)."""
    if not keywords:
        return None
    return re.compile("|".join(_keyword_regex(k, w) for k, w in keywords), re.IGNORECASE)


@lru_cache(maxsize=16384)
def _single(keyword: str, whole_word: bool) -> re.Pattern[str]:
    return re.compile(_keyword_regex(keyword, whole_word), re.IGNORECASE)


_DEFAULT_KEYWORDS = tuple((word, True) for word in DEFAULT_OFFENSIVE_WORDS)


def _matched_keywords(keywords: Sequence[tuple[str, bool]], text: str) -> tuple[str, ...]:
    """Which keywords occur in ``text`` (called only once the combined pattern matched)."""
    return tuple(k for k, w in keywords if _single(k, w).search(text))


def live_filters(viewer: Account, context: str | None = None) -> list[_Live]:
    """The viewer's filters that have not expired (in ``context`` when given), with keywords and posts."""
    now = timezone.now()
    # Read on every timeline page, and most people have no filters: one precompiled statement finds the
    # viewer's filters; their keywords and posts are fetched only when a live one applies here.
    filters = [
        f
        for f in _FILTERS_OF.models(viewer=viewer.id)
        if isinstance(f, WordFilter)
        and (f.expires_at is None or f.expires_at > now)
        and (context is None or context in f.context)
    ]
    if not filters:
        return []
    prefetch_related_objects(filters, "keywords", "posts")
    return [
        _Live(
            f,
            tuple((k.keyword, k.whole_word) for k in sorted(f.keywords.all(), key=lambda k: k.id)),
            frozenset(p.post_id for p in f.posts.all()),
        )
        for f in filters
    ]


_FILTERS_OF = compiled(
    lambda viewer: WordFilter.objects.filter(account_id=viewer).order_by("id"), ints=("viewer",)
)


def matching(
    viewer: Account | None, items: Iterable[tuple[int, int, str]], context: str, *, has_filters: bool = True
) -> dict[int, list[FilterMatch]]:
    """For each ``(post_id, author_id, text)`` caught by the viewer's filters in ``context`` (or by the
    default list, which applies everywhere while the viewer keeps it on): the matches, filters in creation
    order. Posts nothing catches are absent. Logged-out viewers have no filters. ``has_filters=False``
    (the caller has just read that the viewer has none) skips reading them."""
    if viewer is None:
        return {}
    rows = [item for item in items if item[1] != viewer.id]
    if not rows:
        return {}
    found: dict[int, list[FilterMatch]] = {}
    for live in live_filters(viewer, context) if has_filters else ():
        pattern = _pattern(live.keywords)
        f = live.filter
        for post_id, _author_id, text in rows:
            words = _matched_keywords(live.keywords, text) if pattern and pattern.search(text) else ()
            by_post = (str(post_id),) if post_id in live.post_ids else ()
            if words or by_post:
                found.setdefault(post_id, []).append(
                    FilterMatch(str(f.id), f.title, tuple(f.context), f.action, f.expires_at, words, by_post)
                )
    if viewer.hide_offensive_words:
        for post_id, _author_id, text in rows:
            words = default_list_matches(text)
            if words:
                found.setdefault(post_id, []).append(
                    FilterMatch(DEFAULT_LIST_ID, DEFAULT_LIST_TITLE, CONTEXTS, FilterAction.HIDE, None, words)
                )
    return found


@lru_cache(maxsize=20_000)
def default_list_matches(text: str) -> tuple[str, ...]:
    """The default list's words in ``text``. Remembered per text (the same for everyone who keeps the list
    on, and a post's text only changes by an edit, which is a new text): every timeline page screens every
    post against the whole list, which was the largest part of a warm home page's CPU."""
    default = _pattern(_DEFAULT_KEYWORDS)
    assert default is not None
    return _matched_keywords(_DEFAULT_KEYWORDS, text) if default.search(text) else ()


def hidden_ids(matches: dict[int, list[FilterMatch]]) -> set[int]:
    """The posts a ``hide`` filter caught (to leave out of lists)."""
    return {post_id for post_id, found in matches.items() if any(m.hides for m in found)}
