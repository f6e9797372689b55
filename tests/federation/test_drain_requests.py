"""Drain requests: a process sends no ``drain_inbox`` for an item when an older fresh item waits in its
partition (the drain that takes that one takes this one too), and always sends otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from spool.celery import app
from spool.federation import drain, inbox
from spool.federation.models import InboxItem

ACTOR = "https://far.example/users/a"


@pytest.fixture
def sent(monkeypatch: Any) -> Iterator[list[int]]:
    """The drain tasks sent, with tasks queued as in production and no window in the way."""
    calls: list[int] = []
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    monkeypatch.setattr(drain, "_send", lambda: calls.append(1))
    monkeypatch.setattr(drain, "_last_sent", 0.0)
    monkeypatch.setattr(drain, "_timer", None)
    monkeypatch.setattr(drain, "WINDOW", 0.0)
    try:
        yield calls
    finally:
        app.conf.task_always_eager = eager


def _stored(actor: str, n: int, **fields: Any) -> InboxItem:
    return InboxItem.objects.create(
        activity_id=f"{actor}#{n}", activity_type="Like", actor_uri=actor, body={}, **fields
    )


@pytest.mark.django_db
def test_an_item_behind_an_older_fresh_one_sends_no_drain(sent: list[int]) -> None:
    first, second = _stored(ACTOR, 1), _stored(ACTOR, 2)
    drain.request_drain(first.id, ACTOR)
    assert len(sent) == 1  # the oldest: its drain is sent
    drain.request_drain(second.id, ACTOR)
    assert len(sent) == 1  # the drain of the first takes it too
    InboxItem.objects.filter(id=first.id).update(attempts=1)  # claimed: that drain may be over
    drain.request_drain(second.id, ACTOR)
    assert len(sent) == 2


@pytest.mark.django_db
def test_items_tried_before_or_in_another_partition_do_not_count(sent: list[int]) -> None:
    _stored(ACTOR, 1, attempts=1)  # waiting for its retry, not for a drain
    other = next(
        f"https://far.example/users/{n}"
        for n in range(100)
        if inbox._partition(f"https://far.example/users/{n}") != inbox._partition(ACTOR)
    )
    older = _stored(other, 2)
    mine = _stored(ACTOR, 3)
    drain.request_drain(mine.id, ACTOR)
    expected = 1 if inbox.partition_of(other) != inbox.partition_of(ACTOR) else 0
    assert len(sent) == expected  # on SQLite (one partition) the other actor's drain takes it
    assert older.id < mine.id


@pytest.mark.django_db
def test_a_request_for_no_item_always_sends(sent: list[int]) -> None:
    _stored(ACTOR, 1)
    drain.request_drain()  # a drain out of time asks for the next one
    assert len(sent) == 1


def test_requests_within_the_window_are_covered_by_one_send_when_it_ends(
    sent: list[int], monkeypatch: Any
) -> None:
    monkeypatch.setattr(drain, "WINDOW", 0.05)
    monkeypatch.setattr(drain, "_last_sent", drain.time.monotonic())  # a drain was just sent
    drain.request_drain()  # for whatever is waiting: the send due after the window starts
    timer = drain._timer
    assert timer is not None and sent == []
    drain.request_drain(7, ACTOR)  # covered by the send due
    assert drain._timer is timer and drain._oldest == {inbox.partition_of(ACTOR): 7}
    timer.join()
    assert len(sent) == 1 and drain._timer is None and drain._oldest == {}
