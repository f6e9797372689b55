"""Topic tags: one per post, stored under a normalised key, counted exactly."""

from __future__ import annotations

from typing import Any, cast

from spool.core import counters
from spool.core.compiled import compiled
from spool.posts.models import Topic
from spool.posts.services.validation import normalise_topic


def find_topic(name: str) -> Topic | None:
    """The topic written as ``name`` (any case, with or without ``#``), or ``None``."""
    key = normalise_topic(name or "")
    if not key:
        return None
    return Topic.objects.filter(name=key).first()


def topic_for(display: str) -> Topic | None:
    """The topic for a checked display name, created on first use (keeping that first spelling)."""
    if not display:
        return None
    name = normalise_topic(display)
    found: list[Any] = _TOPIC.models(name=name)  # nearly always there: one compiled read
    if found:
        return cast(Topic, found[0])
    topic, _ = Topic.objects.get_or_create(name=name, defaults={"display": display})
    return topic


# Read for nearly every post written or received (compiled once per process, :mod:`spool.core.compiled`).
_TOPIC = compiled(lambda name: Topic.objects.filter(name=name)[:1], strs=("name",))


def count_topic(topic_id: int | None, delta: int) -> None:
    """Add ``delta`` to the topic's post count inside the caller's transaction (never below zero;
    summed to the end of an inbox batch's transaction, :mod:`spool.core.counters`)."""
    if topic_id is None:
        return
    counters.add(Topic, topic_id, "posts_count", delta)
