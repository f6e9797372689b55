"""From candidate hits to :class:`Features`, for a whole pool at once in a fixed number of queries: the
posts (through the visibility rule, mutes applied, the viewer's own and already steered-away posts left
out), which of their authors the viewer follows, the viewer's followed topics, the viewer's recent
interactions grouped by author and by topic (one ``UNION ALL``), their feedback, and their live Dear Algo
requests."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value

from spool.core.compiled import compiled, id_list
from spool.core.snowflake import id_at
from spool.feeds.for_you.candidates import Hit, SourceContext
from spool.feeds.for_you.dear_algo import matches
from spool.feeds.for_you.features import Features
from spool.feeds.for_you.models import DearAlgoRequest, FeedbackKind, PostFeedback
from spool.identities.models import Account, Follow
from spool.posts.models import Like, Post, Repost

# Candidates older than this are not shown, whatever proposed them.
MAX_AGE = timedelta(days=7)
AFFINITY_DAYS = 30
FEEDBACK_DAYS = 90
MAX_FEEDBACK_ROWS = 500
MAX_ENGAGERS = 5
HIDDEN_KINDS = (FeedbackKind.LESS, FeedbackKind.NOT_INTERESTED)


@dataclass(frozen=True)
class Steering:
    """The viewer's feedback and Dear Algo terms, as the ranker uses them."""

    author: dict[int, int]
    topic: dict[int, int]
    more: tuple[str, ...]
    less: tuple[str, ...]


def hidden_by_feedback(viewer: Account) -> Q:
    """A condition leaving out posts the viewer said "show less" or "not interested" about."""
    steered = PostFeedback.objects.filter(account_id=viewer.id, kind__in=HIDDEN_KINDS).values("post_key")
    return Q(id__in=steered)


_FEEDBACK = compiled(
    lambda viewer, since: (
        PostFeedback.objects.filter(account_id=viewer, id__gte=since)
        .order_by("-id")
        .values_list("author_id", "topic_id", "kind")[:MAX_FEEDBACK_ROWS]
    ),
    ints=("viewer", "since"),
)


def steering_of(viewer: Account, now: datetime) -> Steering:
    """Net feedback per author and topic over ``FEEDBACK_DAYS`` (newest ``MAX_FEEDBACK_ROWS``) and the terms
    of live Dear Algo requests. Two queries."""
    rows = _FEEDBACK.run(viewer=viewer.id, since=id_at(now - timedelta(days=FEEDBACK_DAYS)))
    author: Counter[int] = Counter()
    topic: Counter[int] = Counter()
    for author_id, topic_id, kind in rows:
        author[author_id] += {"more": 1, "less": -1}.get(kind, -2)
        if topic_id is not None:
            topic[topic_id] += 1 if kind == FeedbackKind.MORE else -1
    more: list[str] = []
    less: list[str] = []
    live = DearAlgoRequest.objects.filter(account_id=viewer.id, revoked_at__isnull=True, expires_at__gt=now)
    for request_more, request_less in live.order_by("id").values_list("more", "less"):
        more += [t for t in request_more if t not in more]
        less += [t for t in request_less if t not in less]
    return Steering(dict(author), dict(topic), tuple(more), tuple(less))


def _counted(qs: QuerySet[Any], key: str, kind: str) -> QuerySet[Any]:
    """``(key, count, kind)`` rows of ``qs`` grouped by ``key``."""
    label = Value(kind, output_field=CharField())
    return qs.values(key).annotate(n=Count("id")).values_list(key, "n", label)


def _interaction_counts(viewer: int, since: int, authors: Any, topics: Any) -> QuerySet[Any]:
    mine = {"account_id": viewer, "id__gte": since}
    written = Post.objects.filter(author_id=viewer, id__gte=since)
    parts = [
        _counted(Like.objects.filter(**mine, post__author_id__in=id_list(authors)), "post__author_id", "a"),
        _counted(Repost.objects.filter(**mine, post__author_id__in=id_list(authors)), "post__author_id", "a"),
        _counted(written.filter(reply_to_author_id__in=id_list(authors)), "reply_to_author_id", "a"),
        _counted(Like.objects.filter(**mine, post__topic_id__in=id_list(topics)), "post__topic_id", "t"),
        _counted(written.filter(topic_id__in=id_list(topics)), "topic_id", "t"),
    ]
    return parts[0].union(*parts[1:], all=True)


# Compiled once per process, like the candidates' rows below.
_INTERACTIONS = compiled(_interaction_counts, ints=("viewer", "since"), lists=("authors", "topics"))


def _interactions(
    viewer: Account, authors: set[int], topics: set[int], since: int
) -> tuple[Counter[int], ...]:
    """The viewer's likes, reposts and replies to each author (``a``), and likes of and posts in each topic
    (``t``), since ``since``: one ``UNION ALL`` of grouped counts."""
    affinity: Counter[int] = Counter()
    interest: Counter[int] = Counter()
    for key, n, kind in _INTERACTIONS.run(viewer=viewer.id, since=since, authors=authors, topics=topics):
        (affinity if kind == "a" else interest)[key] += n
    return affinity, interest


# The candidates' rows, compiled once per process (the visibility rule is some thirty conditions): the IDs go
# in as one parameter, whatever their number.
_CANDIDATES = compiled(
    lambda viewer, since, ids: (
        Post.objects.visible_to(Account(id=viewer))
        .in_feeds_of(Account(id=viewer))
        .top_level()
        .filter(id__in=id_list(ids), id__gte=since)
        .exclude(author_id=viewer)
        .exclude(hidden_by_feedback(Account(id=viewer)))
        .order_by("-id")
        .values_list(
            "id",
            "author_id",
            "author__handle",
            "topic_id",
            "topic__name",
            "topic__display",
            "text",
            "created_at",
            "likes_count",
            "reposts_count",
            "replies_count",
            "quotes_count",
        )
    ),
    ints=("viewer", "since"),
    lists=("ids",),
)


_FOLLOWED_AMONG = compiled(
    lambda viewer, authors: Follow.objects.filter(
        follower_id=viewer, followee_id__in=id_list(authors)
    ).values_list("followee_id", flat=True),
    ints=("viewer",),
    lists=("authors",),
)


def gather(ctx: SourceContext, hits: Sequence[Hit]) -> list[Features]:
    """Features of every distinct candidate the viewer may see, newest first."""
    viewer, now = ctx.viewer, ctx.now
    if not hits:
        return []
    ids = {h.post_id for h in hits}
    rows = _CANDIDATES.run(viewer=viewer.id, since=id_at(now - MAX_AGE), ids=ids)
    if not rows:
        return []
    authors = {r[1] for r in rows}
    topics = {r[3] for r in rows if r[3] is not None}
    followed = {row[0] for row in _FOLLOWED_AMONG.run(viewer=viewer.id, authors=authors)}
    followed_topics = ctx.topics_followed & topics
    affinity, interest = _interactions(viewer, authors, topics, id_at(now - timedelta(days=AFFINITY_DAYS)))
    steer = steering_of(viewer, now)
    trending = ctx.trending

    sources: dict[int, set[str]] = defaultdict(set)
    liked: dict[int, list[str]] = defaultdict(list)
    reposted: dict[int, list[str]] = defaultdict(list)
    for h in hits:
        sources[h.post_id].add(h.source)
        # Engagement hits come only from people the viewer follows (the source's own condition).
        if h.engager_id is not None:
            target = liked if h.kind == "like" else reposted
            if h.engager_handle not in target[h.post_id] and len(target[h.post_id]) < MAX_ENGAGERS:
                target[h.post_id].append(h.engager_handle)

    # Per candidate only what differs: the lookups below are hoisted, and Dear Algo terms are matched only
    # when the viewer has live requests.
    trending_topics, trending_posts = trending.topic_ids, frozenset(trending.post_ids)
    communities = ctx.communities
    more, less = steer.more, steer.less
    features = []
    for (pid, author_id, handle, topic_id, topic_key, topic_display, text, created, likes, reposts, replies,
         quotes) in rows:  # fmt: skip
        topic_key = topic_key or ""
        features.append(
            Features(
                post_id=pid,
                author_id=author_id,
                author_handle=handle,
                age_hours=max((now - created).total_seconds() / 3600, 0.0),
                topic_id=topic_id,
                topic_name=topic_display or "",
                likes=likes,
                reposts=reposts,
                replies=replies,
                quotes=quotes,
                follows_author=author_id in followed,
                affinity=affinity.get(author_id, 0),
                follows_topic=topic_id in followed_topics,
                topic_interest=interest.get(topic_id, 0) if topic_id else 0,
                trending_topic=topic_id in trending_topics,
                trending_post=pid in trending_posts,
                liked_by=tuple(liked[pid]) if pid in liked else (),
                reposted_by=tuple(reposted[pid]) if pid in reposted else (),
                new_voice="new_voices" in sources[pid] and author_id not in followed,
                community=communities.get(topic_id, "") if topic_id else "",
                author_feedback=steer.author.get(author_id, 0),
                topic_feedback=steer.topic.get(topic_id, 0) if topic_id else 0,
                asked_more=tuple(t for t in more if matches(t, topic_key, text)) if more else (),
                asked_less=tuple(t for t in less if matches(t, topic_key, text)) if less else (),
            )
        )
    return features
