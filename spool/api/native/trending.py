"""``/api/spool/v1/trending/``: trending now (at most five topics, the same for everyone) with each topic's
trending discussions and influential voices, and trending keywords (words and phrases of post text);
reports by signed-in people; hiding topics and keywords by moderators. Reading is open to visitors and
served from the cached snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from spool.api.common.auth import current_account
from spool.api.native.posts import PostAuthor, PostOut, TopicOut, _viewer, author_out, post_out
from spool.feeds.trending.reads import trending_highlights, trending_keywords
from spool.feeds.trending.services import (
    current_trending,
    hide_trending_keyword,
    hide_trending_topic,
    report_trending_topic,
    unhide_trending_keyword,
    unhide_trending_topic,
)
from spool.posts.models import Topic

router = Router(tags=["trending"])


class TrendOut(Schema):
    topic: TopicOut
    score: float
    uses: int
    authors: int
    baseline: float
    discussions: list[PostOut]
    voices: list[PostAuthor]


class KeywordOut(Schema):
    term: str
    score: float
    uses: int
    authors: int
    baseline: float


class TrendingOut(Schema):
    computed_at: datetime | None
    topics: list[TrendOut]
    keywords: list[KeywordOut]


class KeywordIn(Schema):
    model_config = ConfigDict(extra="forbid")

    keyword: str
    reason: str = ""


class HiddenKeywordOut(Schema):
    keyword: str
    hidden: bool
    changed: bool


class TopicIn(Schema):
    model_config = ConfigDict(extra="forbid")

    topic: str
    reason: str = ""


class ReportOut(Schema):
    id: str
    topic: TopicOut
    reason: str
    created_at: datetime


class HiddenOut(Schema):
    topic: TopicOut
    hidden: bool
    changed: bool


def topic_out(topic: Topic) -> dict[str, Any]:
    return {"name": topic.name, "display": topic.display, "url": f"/topic/{topic.display}"}


@router.get("", auth=None, response=TrendingOut)
def trending(request: HttpRequest) -> dict[str, Any]:
    """Trending now, best first, with highlights (what the viewer may see of them)."""
    found = trending_highlights(_viewer(request))
    return {
        "computed_at": current_trending().get("computed_at"),
        "topics": [
            {
                "topic": topic_out(t.topic),
                "score": t.score,
                "uses": t.uses,
                "authors": t.authors,
                "baseline": t.baseline,
                "discussions": [post_out(c) for c in t.discussions],
                "voices": [author_out(a) for a in t.voices],
            }
            for t in found
        ],
        "keywords": [k.__dict__ for k in trending_keywords()],
    }


@router.post("reports", response={201: ReportOut})
def report(request: HttpRequest, payload: TopicIn) -> Status[dict[str, Any]]:
    """Report a trending topic to the moderators (once per person and topic)."""
    made = report_trending_topic(current_account(request), payload.topic, payload.reason)
    body = {
        "id": str(made.id),
        "topic": topic_out(made.topic),
        "reason": made.reason,
        "created_at": made.created_at,
    }
    return Status(201, body)


@router.post("hidden", response=HiddenOut)
def hide(request: HttpRequest, payload: TopicIn) -> dict[str, Any]:
    """Moderators: take a topic out of trending."""
    result = hide_trending_topic(current_account(request), payload.topic, payload.reason)
    return {"topic": topic_out(result.topic), "hidden": True, "changed": result.changed}


@router.delete("hidden/{name}", response=HiddenOut)
def unhide(request: HttpRequest, name: str) -> dict[str, Any]:
    """Moderators: let a hidden topic trend again."""
    result = unhide_trending_topic(current_account(request), name)
    return {"topic": topic_out(result.topic), "hidden": False, "changed": result.changed}


@router.post("hidden-keywords", response=HiddenKeywordOut)
def hide_keyword(request: HttpRequest, payload: KeywordIn) -> dict[str, Any]:
    """Moderators: take a keyword out of trending keywords."""
    result = hide_trending_keyword(current_account(request), payload.keyword, payload.reason)
    return {"keyword": result.term, "hidden": True, "changed": result.changed}


@router.delete("hidden-keywords/{keyword}", response=HiddenKeywordOut)
def unhide_keyword(request: HttpRequest, keyword: str) -> dict[str, Any]:
    """Moderators: let a hidden keyword trend again."""
    result = unhide_trending_keyword(current_account(request), keyword)
    return {"keyword": result.term, "hidden": False, "changed": result.changed}
