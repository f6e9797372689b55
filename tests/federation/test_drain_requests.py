"""Drain requests: a process sends no ``drain_inbox`` for an item when an older fresh item waits in its
partition (the drain that takes that one takes this one too), and always sends otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

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


@pytest.fixture
def other_session() -> Iterator[Any]:
    """A second PostgreSQL session, as another worker's (its advisory locks are its own)."""
    if connection.vendor != "postgresql":
        pytest.skip("the partition locks are PostgreSQL's")
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as session:
        session.autocommit = True
        yield session


@pytest.mark.django_db(transaction=True)
def test_an_item_of_a_partition_a_drain_holds_sends_no_drain(sent: list[int], other_session: Any) -> None:
    """That drain looks once more after letting go of the partition, so it takes the item."""
    held = inbox.DRAIN_LOCK + inbox._partition(ACTOR)
    other_session.execute("SELECT pg_advisory_lock(%s)", [held])
    mine = _stored(ACTOR, 1)
    drain.request_drain(mine.id, ACTOR)
    assert sent == []
    other_session.execute("SELECT pg_advisory_unlock(%s)", [held])
    drain.request_drain(mine.id, ACTOR)
    assert len(sent) == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_that_held_the_partition_asks_for_a_drain_of_what_waits_there(sent: list[int]) -> None:
    """Requests made while a retry held the partition counted on the holder, which drains nothing else."""
    if connection.vendor != "postgresql":
        pytest.skip("the partition locks are PostgreSQL's")
    retried = _stored(ACTOR, 1, attempts=1)
    _stored(ACTOR, 2)  # fresh, stored while the retry held the partition
    inbox.process_item(retried.id)
    assert len(sent) == 1
    InboxItem.objects.filter(activity_id=f"{ACTOR}#2").update(attempts=1)
    inbox.process_item(retried.id)
    assert len(sent) == 1  # nothing fresh left there: no drain


@pytest.mark.django_db
def test_a_partition_past_the_look_ahead_gets_its_drain(sent: list[int], monkeypatch: Any) -> None:
    """The look reads only the fresh items just older than the one asked for: an older item of the
    partition further back is not seen, and the drain is sent (a drain too many is safe, one too few is
    not)."""
    monkeypatch.setattr(inbox, "LOOK_AHEAD", 2)
    other = next(
        f"https://far.example/users/{n}"
        for n in range(100)
        if inbox._partition(f"https://far.example/users/{n}") != inbox._partition(ACTOR)
    )
    _stored(ACTOR, 1)  # older than two items of another partition
    _stored(other, 2), _stored(other, 3)
    mine = _stored(ACTOR, 4)
    drain.request_drain(mine.id, ACTOR)
    assert len(sent) == (1 if connection.vendor == "postgresql" else 0)  # SQLite: one partition, seen


@pytest.mark.django_db
def test_a_drain_visits_every_waiting_partition_whatever_the_look_ahead(monkeypatch: Any) -> None:
    monkeypatch.setattr(inbox, "LOOK_AHEAD", 2)
    other = next(
        f"https://far.example/users/{n}"
        for n in range(100)
        if inbox._partition(f"https://far.example/users/{n}") != inbox._partition(ACTOR)
    )
    _stored(ACTOR, 1), _stored(ACTOR, 2), _stored(other, 3)
    assert inbox._partitions_waiting() == {inbox.partition_of(ACTOR), inbox.partition_of(other)}


@pytest.mark.django_db
def test_a_claim_short_of_a_batch_is_the_partitions_last(monkeypatch: Any) -> None:
    """One more claim would read the other partitions' backlog to find nothing; the look after letting go
    finds anything stored since."""
    from django.test.utils import CaptureQueriesContext

    _stored(ACTOR, 1), _stored(ACTOR, 2)
    with CaptureQueriesContext(connection) as queries:
        assert inbox.drain() == 2
    claims = [query for query in queries.captured_queries if "SET attempts = attempts + 1" in query["sql"]]
    assert len(claims) == 1
    assert list(InboxItem.objects.values_list("attempts", flat=True)) == [1, 1]  # both taken by that claim
