"""Trending now: counting, the periodic refresh, the cached read, and moderators' and readers' say.

Counting: after a post commits (``PostCreated``, after-commit subscriber wired in ``FeedsConfig.ready``), the
task ``spool.feeds.tasks.count_for_trending`` runs :func:`count_post`, which records one use of its topic in
the activity store and its keywords in the keyword store — only when a logged-out visitor could see the post.
Like search indexing, none of it runs in the request that published the post.

Refresh: the beat job ``spool.feeds.tasks.refresh_trending`` scores every topic active in the window
(:mod:`.scoring`), picks highlights (:mod:`.highlights`) and writes one snapshot row plus the cache.
Keywords of post text are counted and scored alongside (:mod:`.keyword_trends`) into the same snapshot.
Reading (:func:`current_trending`) is a cache hit; on a miss one primary-key read of the snapshot row; only
a site that never refreshed computes it inline once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from spool.core.batching import enqueue
from spool.core.compiled import Compiled, compiled, id_list
from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.feeds.trending.highlights import influential_voices, trending_discussions
from spool.feeds.trending.history import history_rows, topic_history
from spool.feeds.trending.keyword_trends import compute_keyword_trends
from spool.feeds.trending.keywords import MAX_TERM, extract_terms, normalize_term
from spool.feeds.trending.models import HiddenKeyword, HiddenTopic, TopicReport, TrendingSnapshot
from spool.feeds.trending.scoring import (
    BASELINE_DAYS,
    MIN_AUTHORS,
    WINDOW_HOURS,
    Candidate,
    busy_in_window,
    pick_trending,
)
from spool.feeds.trending.store import RETENTION_HOURS, CountedUse, activity_store, count_posts_once, hour_of
from spool.identities.models import Account
from spool.identities.servers import ServerPolicy, configured_limited, server_policy
from spool.moderation import audit
from spool.posts.events import PostCreated
from spool.posts.models import Post, Topic
from spool.posts.services.topics import find_topic

CACHE_KEY = "trending:v1"
CACHE_SECONDS = 120
MAX_REASON = 500
REPORT_LIMIT = Limit("topic_reports", 20, timedelta(hours=1))
# The audit log's target type for a hidden keyword (its ``HiddenKeyword`` row's ID; the term is the label).
AUDIT_KEYWORD = "keyword"


# --- Counting -------------------------------------------------------------------------------------------


def on_post_created(event: PostCreated) -> None:
    """After commit: enqueue the counting task (the request that published the post does no counting); one
    message for a whole inbox batch (:func:`~spool.core.batching.enqueue`)."""
    from spool.feeds.tasks import count_for_trending

    enqueue(count_for_trending, event.post_id)


def count_post(post_id: int) -> bool:
    """When the post is public (one indexed read), count its topic use (unless moderators limited the topic)
    and the keywords of its text, once: a post already counted is not counted again
    (:func:`~spool.feeds.trending.store.count_posts_once`), so the task retries on database and Redis
    errors. Returns whether it counted now."""
    return bool(count_posts([post_id]))


def count_posts(post_ids: Iterable[int]) -> int:
    """:func:`count_post` for many posts at once (an inbox batch's new posts): one read for all of them, and
    with Redis one round trip for all the counts. Returns how many were counted now."""
    rows = _countable(server_policy(), tuple(configured_limited())).run(posts=sorted(set(post_ids)))
    uses = [
        CountedUse(
            post_id,
            author_id,
            hour_of(created_at),
            topic_id if topic_id is not None and not topic_limited else None,
            extract_terms(text or ""),
        )
        for post_id, topic_id, topic_limited, author_id, created_at, text in rows
    ]
    return sum(count_posts_once(uses)) if uses else 0


@lru_cache(maxsize=16)
def _countable(policy: ServerPolicy, limited: tuple[str, ...]) -> Compiled:
    """:func:`count_posts`'s read, compiled once per process (:mod:`spool.core.compiled`): the visibility
    and reach rules took longer to turn into SQL, once per inbox batch, than the read takes. The operator's
    server lists, which the rules write into the SQL, are the key (the rest is read when it runs)."""
    return compiled(
        lambda posts: (
            Post.objects.visible_to(None)
            .full_reach()
            .filter(id__in=id_list(posts))
            .order_by("id")
            .values_list("id", "topic_id", "topic__reach_limited", "author_id", "created_at", "text")
        ),
        lists=("posts",),
    )


# --- Refreshing -----------------------------------------------------------------------------------------


def compute_trending(now: datetime) -> dict[str, Any]:
    """The snapshot for ``now``: the trending topics with their numbers, highlight IDs and week of history
    (for ``/api/v1/trends/tags``). Reads the store for the window, then the baseline of the few topics that
    pass the floors; a handful of SQL queries."""
    store = activity_store()
    now_hour = hour_of(now)
    first = now_hour - WINDOW_HOURS + 1
    window = store.hourly(first, now_hour)
    busy = busy_in_window(window)
    hidden = set(HiddenTopic.objects.filter(topic_id__in=busy).values_list("topic_id", flat=True))
    busy = [t for t in busy if t not in hidden]
    distinct = store.distinct_authors(busy, first, now_hour) if busy else {}
    busy = [t for t in busy if distinct.get(t, 0) >= MIN_AUTHORS]
    history = store.hourly(first - BASELINE_DAYS * 24, now_hour, busy) if busy else {}
    picked = pick_trending([Candidate(t, history.get(t, {}), distinct[t]) for t in busy], now_hour, hidden)
    ids = [s.topic_id for s in picked]
    discussions = trending_discussions(ids, now)
    voices = influential_voices(ids, now)
    return {
        "computed_at": now.isoformat(),
        "history": history_rows(topic_history(ids)) if ids else {},
        "keywords": compute_keyword_trends(now),
        "topics": [
            {
                "topic_id": s.topic_id,
                "score": round(s.z, 3),
                "uses": s.uses,
                "authors": s.authors,
                "baseline": round(s.baseline_mean, 3),
                "posts": discussions.get(s.topic_id, []),
                "voices": voices.get(s.topic_id, []),
            }
            for s in picked
        ],
    }


def refresh_trending(now: datetime | None = None) -> dict[str, Any]:
    """Recompute trending and its highlights, store the snapshot row, refresh the cache (after commit) and
    forget activity older than the baseline. Idempotent; the beat job calls it every few minutes."""
    now = now or timezone.now()
    data = compute_trending(now)
    TrendingSnapshot.objects.update_or_create(id=1, defaults={"data": data, "computed_at": now})
    transaction.on_commit(lambda: cache.set(CACHE_KEY, data, CACHE_SECONDS))
    activity_store().prune(hour_of(now) - RETENTION_HOURS)
    return data


def current_trending() -> dict[str, Any]:
    """The latest snapshot: from the cache, else its row (then cached), else computed now and only cached (a
    site that never ran the job; a read never writes rows)."""
    data = cache.get(CACHE_KEY)
    if data is not None:
        return dict(data)
    row = TrendingSnapshot.objects.filter(id=1).first()
    data = compute_trending(timezone.now()) if row is None else row.data
    cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return dict(data)


def forget_cached_trending() -> None:
    cache.delete(CACHE_KEY)


# --- Moderation and reports ------------------------------------------------------------------------------


def _is_moderator(account: Account) -> bool:
    user = getattr(account, "user", None)
    return bool(account.is_active and user is not None and user.is_staff)


def _require_moderator(account: Account, what: str) -> None:
    if not _is_moderator(account):
        raise Forbidden(f"Only moderators can hide a trending {what}.", code="not_moderator")


def _topic(name: Any) -> Topic:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("Name a topic.", code="topic_required", field="topic")
    topic = find_topic(name)
    if topic is None:
        raise NotFound("No such topic.", field="topic")
    return topic


def _reason(reason: Any) -> str:
    if not isinstance(reason, str):
        raise ValidationError("The reason must be text.", code="invalid_reason", field="reason")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"A reason can be at most {MAX_REASON} characters long.", code="reason_too_long", field="reason"
        )
    return reason


@dataclass(frozen=True)
class HideResult:
    topic: Topic
    changed: bool


def hide_trending_topic(moderator: Account, topic_name: Any, reason: Any = "") -> HideResult:
    """Take a topic out of trending (staff only; the topic stays usable). Idempotent. Writes one
    ``HiddenTopic`` row; after commit, recomputes the snapshot so no page shows the topic any more."""
    _require_moderator(moderator, "topic")
    topic, text = _topic(topic_name), _reason(reason)
    _, created = HiddenTopic.objects.get_or_create(
        topic=topic, defaults={"hidden_by": moderator, "reason": text}
    )
    transaction.on_commit(_refresh_soon)
    return HideResult(topic, created)


def unhide_trending_topic(moderator: Account, topic_name: Any) -> HideResult:
    """Let a hidden topic trend again (staff only). Idempotent; recomputes the snapshot after commit."""
    _require_moderator(moderator, "topic")
    topic = _topic(topic_name)
    deleted, _ = HiddenTopic.objects.filter(topic=topic).delete()
    transaction.on_commit(_refresh_soon)
    return HideResult(topic, bool(deleted))


def _keyword(term: Any) -> str:
    if not isinstance(term, str) or not normalize_term(term):
        raise ValidationError("Name a keyword.", code="keyword_required", field="keyword")
    if len(term.strip()) > MAX_TERM:
        raise ValidationError(
            f"A keyword is at most {MAX_TERM} characters long.", code="keyword_too_long", field="keyword"
        )
    return normalize_term(term)


@dataclass(frozen=True)
class HideKeywordResult:
    term: str
    changed: bool


def hide_trending_keyword(moderator: Account, term: Any, reason: Any = "") -> HideKeywordResult:
    """Take a keyword (a word or two-word phrase, compared lower-cased) out of trending keywords (staff only;
    idempotent). Writes one ``HiddenKeyword`` row and, when it is new, an audit entry
    (``trending.hide_keyword``); after commit, recomputes the snapshot."""
    _require_moderator(moderator, "keyword")
    clean, text = _keyword(term), _reason(reason)
    with transaction.atomic():
        row, created = HiddenKeyword.objects.get_or_create(
            term=clean, defaults={"hidden_by": moderator, "reason": text}
        )
        if created:
            audit.record(
                moderator, "trending.hide_keyword", AUDIT_KEYWORD, row.pk, target_label=clean, note=text
            )
    transaction.on_commit(_refresh_soon)
    return HideKeywordResult(clean, created)


def unhide_trending_keyword(moderator: Account, term: Any) -> HideKeywordResult:
    """Let a hidden keyword trend again (staff only; idempotent). Deletes its ``HiddenKeyword`` row and, when
    there was one, writes an audit entry (``trending.unhide_keyword``); recomputes the snapshot after
    commit."""
    _require_moderator(moderator, "keyword")
    clean = _keyword(term)
    with transaction.atomic():
        row = HiddenKeyword.objects.select_for_update().filter(term=clean).first()
        if row is not None:
            audit.record(moderator, "trending.unhide_keyword", AUDIT_KEYWORD, row.pk, target_label=clean)
            row.delete()
    transaction.on_commit(_refresh_soon)
    return HideKeywordResult(clean, row is not None)


def hidden_keywords() -> list[HiddenKeyword]:
    """The keywords moderators took out of trending, newest first (one query)."""
    return list(HiddenKeyword.objects.order_by("-id"))


def _refresh_soon() -> None:
    from spool.feeds.tasks import refresh_trending as task

    forget_cached_trending()
    task.delay()


def report_trending_topic(reporter: Account, topic_name: Any, reason: Any = "") -> TopicReport:
    """Report a topic shown in trending (one report per person and topic: a second one returns the first).
    Checks the reporter is active, the topic trends now and the reason's length; rate-limited. The
    moderation queue reads ``TopicReport`` rows."""
    if not reporter.is_active:
        raise Forbidden("This profile is deactivated.", code="deactivated")
    topic, text = _topic(topic_name), _reason(reason)
    if topic.id not in {t["topic_id"] for t in current_trending()["topics"]}:
        raise NotFound("That topic is not trending.", field="topic")
    existing = TopicReport.objects.filter(topic=topic, reporter=reporter).first()
    if existing is not None:
        return existing
    hit(REPORT_LIMIT, reporter.id)
    report, _ = TopicReport.objects.get_or_create(topic=topic, reporter=reporter, defaults={"reason": text})
    return report
