"""Trending and its highlights as a viewer sees them: the cached snapshot turned into topics, post cards and
accounts, in a fixed number of queries whatever it holds (topics, posts, cards, accounts), with the viewer's
blocks, mutes and the visibility rule applied to every post and account."""

from __future__ import annotations

from dataclasses import dataclass, field

from spool.feeds.trending.services import current_trending
from spool.identities.models import Account
from spool.posts.batch import PostCard, build_cards
from spool.posts.models import Post, Topic


@dataclass
class TopicHighlights:
    topic: Topic
    score: float
    uses: int
    authors: int
    baseline: float
    discussions: list[PostCard] = field(default_factory=list)
    voices: list[Account] = field(default_factory=list)


@dataclass(frozen=True)
class KeywordTrend:
    term: str
    score: float
    uses: int
    authors: int
    baseline: float


def trending_keywords() -> list[KeywordTrend]:
    """The words and phrases trending in post text now, best first (the cached snapshot; no query)."""
    return [
        KeywordTrend(k["term"], k["score"], k["uses"], k["authors"], k["baseline"])
        for k in current_trending().get("keywords", [])
    ]


def trending_topic_ids() -> list[int]:
    """IDs of the topics trending now, best first (at most five). A cache hit."""
    return [t["topic_id"] for t in current_trending()["topics"]]


def trending_highlights(viewer: Account | None, *, with_highlights: bool = True) -> list[TopicHighlights]:
    """The trending topics with, when asked, their trending discussions and influential voices."""
    entries = current_trending()["topics"]
    topics = Topic.objects.in_bulk([t["topic_id"] for t in entries])
    result = [
        TopicHighlights(topics[t["topic_id"]], t["score"], t["uses"], t["authors"], t["baseline"])
        for t in entries
        if t["topic_id"] in topics
    ]
    if not with_highlights or not result:
        return result
    wanted = {t.topic.id: t for t in result}
    post_ids = [pid for t in entries if t["topic_id"] in wanted for pid in t["posts"]]
    voice_ids = [aid for t in entries if t["topic_id"] in wanted for aid in t["voices"]]
    posts = (
        {
            p.id: p
            for p in Post.objects.visible_to(viewer).in_feeds_of(viewer).filter(id__in=post_ids).for_cards()
        }
        if post_ids
        else {}
    )
    cards = {c.id: c for c in build_cards(viewer, list(posts.values()))}
    accounts = Account.objects.visible_to(viewer).in_bulk(voice_ids) if voice_ids else {}
    for entry in entries:
        highlight = wanted.get(entry["topic_id"])
        if highlight is None:
            continue
        highlight.discussions = [cards[pid] for pid in entry["posts"] if pid in cards]
        highlight.voices = [accounts[aid] for aid in entry["voices"] if aid in accounts]
    return result
