"""Diversity caps: no voice or topic floods For You. Pure; works on any items given their author and topic.

``diversify`` walks the ranked list and fills positions one by one with the best remaining item that keeps
every run of ``window`` consecutive items within ``per_author`` posts from one author and ``per_topic`` from
one topic. So any page of at most ``window`` items meets the caps, wherever it starts. Items that can never
fit (one author left with nothing else to mix in) are dropped: For You is a selection, not an archive."""

from __future__ import annotations

from collections import deque
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
    limit: int | None = None,
) -> list[T]:
    """The first ``limit`` positions (all when ``None``): filling stops there, since each position depends
    only on those before it, so a ranking that keeps 300 of a thousand candidates does not place the rest."""
    # Each item's author and topic, looked up once rather than at every position it is considered for.
    remaining = [(item, author_of(item), topic_of(item)) for item in items]
    out: list[T] = []
    recent: deque[tuple[Hashable, Hashable | None]] = deque()
    # Plain dicts read with ``get``: a ``Counter`` calls ``__missing__`` for every author not yet shown.
    authors: dict[Hashable, int] = {}
    topics: dict[Hashable, int] = {}
    while remaining and (limit is None or len(out) < limit):
        index = next(
            (
                i
                for i, (_, author, topic) in enumerate(remaining)
                if authors.get(author, 0) < per_author and (topic is None or topics.get(topic, 0) < per_topic)
            ),
            None,
        )
        if index is None:
            break  # nothing left fits: the rest is dropped
        item, author, topic = remaining.pop(index)
        out.append(item)
        recent.append((author, topic))
        authors[author] = authors.get(author, 0) + 1
        if topic is not None:
            topics[topic] = topics.get(topic, 0) + 1
        if len(recent) == window:
            # Slide: the oldest item leaves the window before the next position is filled.
            old_author, old_topic = recent.popleft()
            authors[old_author] -= 1
            if old_topic is not None:
                topics[old_topic] -= 1
    return out
