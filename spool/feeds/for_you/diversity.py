"""Diversity caps: no voice or topic floods For You. Pure; works on any items given their author and topic.

``diversify`` walks the ranked list and fills positions one by one with the best remaining item that keeps
every run of ``window`` consecutive items within ``per_author`` posts from one author and ``per_topic`` from
one topic. So any page of at most ``window`` items meets the caps, wherever it starts. Items that can never
fit (one author left with nothing else to mix in) are dropped: For You is a selection, not an archive."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")

WINDOW = 20
PER_AUTHOR = 2
PER_TOPIC = 3


def diversify(
    items: Sequence[T],
    author_of: Callable[[T], Hashable],
    topic_of: Callable[[T], Hashable | None],
    *,
    window: int = WINDOW,
    per_author: int = PER_AUTHOR,
    per_topic: int = PER_TOPIC,
) -> list[T]:
    remaining = list(items)
    out: list[T] = []
    recent: deque[T] = deque()
    authors: Counter[Hashable] = Counter()
    topics: Counter[Hashable] = Counter()
    while remaining:
        index = next(
            (
                i
                for i, candidate in enumerate(remaining)
                if authors[author_of(candidate)] < per_author
                and (topic_of(candidate) is None or topics[topic_of(candidate)] < per_topic)
            ),
            None,
        )
        if index is None:
            break  # nothing left fits: the rest is dropped
        item = remaining.pop(index)
        topic = topic_of(item)
        out.append(item)
        recent.append(item)
        authors[author_of(item)] += 1
        if topic is not None:
            topics[topic] += 1
        if len(recent) == window:
            # Slide: the oldest item leaves the window before the next position is filled.
            old = recent.popleft()
            authors[author_of(old)] -= 1
            old_topic = topic_of(old)
            if old_topic is not None:
                topics[old_topic] -= 1
    return out
