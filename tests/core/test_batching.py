"""Follow-up tasks collected inside :func:`spool.core.batching.batched_tasks` leave as few messages: every
task name's calls together, at most ``CHUNK`` calls a message, each call run once by its batch runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.signals import task_prerun

from spool.core.batching import CHUNK, batched_tasks, enqueue
from spool.feeds.tasks import count_for_trending
from spool.search.tasks import index_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """(task name, arguments) of every task message run (eagerly, in tests) while the test runs."""
    seen: list[tuple[str, tuple[Any, ...]]] = []

    def record(task: Any = None, args: Any = (), **_: Any) -> None:
        seen.append((task.name, tuple(args)))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def test_the_calls_of_every_task_leave_together_in_messages_of_at_most_chunk_calls(
    messages: list[tuple[str, tuple[Any, ...]]],
) -> None:
    # IDs of no post: the runners find nothing to do, and the test looks at the messages only.
    with batched_tasks():
        for n in range(CHUNK - 10):
            enqueue(count_for_trending, n + 1)
        for n in range(20):
            enqueue(index_post, n + 1)

    assert [name for name, _ in messages] == ["spool.core.tasks.run_task_groups"] * 2
    first, second = (args[0] for _, args in messages)
    assert [(name, len(calls)) for name, calls in first] == [
        ("spool.feeds.tasks.count_for_trending", CHUNK - 10),
        ("spool.search.tasks.index_post", 10),
    ]
    assert [(name, len(calls)) for name, calls in second] == [("spool.search.tasks.index_post", 10)]
    indexed = [call for name, calls in [*first, *second] if name.endswith("index_post") for call in calls]
    assert indexed == [[n + 1] for n in range(20)]  # each call once, in order
